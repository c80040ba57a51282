from django.http import HttpResponse
from django.urls import path

from helpdesk.urls import urlpatterns as site


def constant(request):
    return HttpResponse("ok")


urlpatterns = [path("bench/constante/", constant), *site]
