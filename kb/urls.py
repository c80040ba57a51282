from django.urls import path

from kb import views

app_name = "kb"

urlpatterns = [
    path("", views.home, name="home"),
    path("parcours/", views.wizard_step, name="wizard_start"),
    path("parcours/<path:trail>/", views.wizard_step, name="wizard_step"),
    path("assistance/", views.support_lines, name="support_lines"),
]
