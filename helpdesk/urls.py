from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Assistance e-CPS — administration"
admin.site.site_title = "Assistance e-CPS"
admin.site.index_title = "Contenus et paramètres"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("kb.urls")),
    path("", include("triage.urls")),
]
