from django.urls import path

from triage import views

app_name = "triage"

urlpatterns = [
    path("aide/", views.help_request, name="help"),
    path("aide/merci/<str:token>/", views.confirmation, name="confirmation"),
    path("aide/suivi/<str:token>/", views.follow, name="follow"),
    path("aide/suivi/<str:token>/regle/", views.follow_settled, name="follow_settled"),
    path("agents/", views.queue, name="queue"),
    path("agents/lot/", views.bulk, name="bulk"),
    path("agents/chiffres/", views.figures, name="figures"),
    path("agents/chiffres.csv", views.figures_csv, name="figures_csv"),
    path("agents/nouveau/", views.agent_new_ticket, name="agent_new"),
    path("agents/envoyer-lien/", views.send_link, name="send_link"),
    path("agents/modeles/", views.templates_list, name="templates"),
    path("agents/modeles/nouveau/", views.template_edit, name="template_new"),
    path("agents/modeles/<int:pk>/", views.template_edit, name="template"),
    path("agents/tickets/<int:pk>/", views.ticket_detail, name="ticket"),
    path("agents/tickets/<int:pk>/prendre/", views.take, name="take"),
    path("agents/tickets/<int:pk>/note/", views.add_note, name="note"),
    path("agents/tickets/<int:pk>/statut/", views.change_status, name="status"),
    path("agents/tickets/<int:pk>/transfert/", views.transfer, name="transfer"),
    path("agents/tickets/<int:pk>/reponse/", views.reply, name="reply"),
    path("agents/tickets/<int:pk>/modele/", views.insert_template, name="insert_template"),
    path("agents/tickets/<int:pk>/attribuer/", views.assign, name="assign"),
    path("agents/tickets/<int:pk>/fusionner/", views.merge, name="merge"),
    path("agents/tickets/<int:pk>/equipe/", views.transfer_to_team, name="transfer_to_team"),
    path("agents/tickets/<int:pk>/pieces/<int:attachment_pk>/", views.attachment,
         name="attachment"),
]
