from django.urls import path

from kb import views

app_name = "kb"

urlpatterns = [
    path("", views.home, name="home"),
    path("parcours/", views.wizard_step, name="wizard_start"),
    path("parcours/etape/<path:trail>/", views.wizard_direct, name="wizard_direct"),
    path("parcours/<path:trail>/", views.wizard_step, name="wizard_step"),
    path("vue-d-ensemble/", views.overview, name="overview"),
    path("assistance/", views.support_lines, name="support_lines"),
    path("tutoriels/", views.tutorial_list, name="tutorials"),
    path("tutoriels/<slug:slug>/", views.tutorial, name="tutorial"),
    path("problemes-connus/", views.known_problems, name="known_problems"),
    path("glossaire/", views.glossary, name="glossary"),
    path("recherche/", views.search, name="search"),
    path("identifiant/", views.identifier, name="identifier"),
    path("avis/", views.feedback, name="feedback"),
    path("apercu/", views.preview, name="preview"),
    path("media/<path:name>", views.media, name="media"),
]
