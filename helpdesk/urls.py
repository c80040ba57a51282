from django.contrib import admin
from django.urls import include, path
from health_check.views import HealthCheckView

from kb.forms import StaffLoginForm
from teams.posters import poster

admin.site.site_header = "Assistance e-CPS — administration"
admin.site.site_title = "Assistance e-CPS"
admin.site.index_title = "Contenus et paramètres"
admin.site.login_form = StaffLoginForm

urlpatterns = [
    path("admin/", admin.site.urls),
    # For the load balancer: 200 when the database and the cache answer, 500 otherwise.
    path("sante/", HealthCheckView.as_view(checks=[
        "health_check.checks.Database", "health_check.checks.Cache",
    ]), name="health"),
    path("equipes/affiche/", poster, name="poster"),
    path("", include("kb.urls")),
    path("", include("triage.urls")),
]
