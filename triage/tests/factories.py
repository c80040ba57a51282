from teams.models import Team
from triage.models import Ticket

VALID_FORM = {
    "name": "Claire Martin", "email": "claire.martin@example.fr", "phone": "06 12 34 56 78",
    "profession": "medecin", "identifier_type": "rpps", "identifier_number": "10002232642",
    "service": "ecps", "description": "Le QR code n'arrive pas par e-mail.", "consent": "on",
    "website": "",
}


def make_ticket(**fields) -> Ticket:
    data = {key: value for key, value in VALID_FORM.items()
            if key not in ("consent", "website")}
    fields.setdefault("team", Team.national())
    return Ticket.objects.create(**{**data, **fields})
