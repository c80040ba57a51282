"""A plain-text e-mail body is never marked safe for HTML: shown in a page (the transfer
preview, the timeline, the professional's page), it is escaped like any text (issue 24 §1;
the browser test counts injected elements with the CSP bypassed)."""

import ast
from pathlib import Path

from django.utils.safestring import SafeData

from kb.models import SupportLine
from triage import services
from triage.tests.factories import make_ticket

PAYLOAD = '<script>alert(1)</script><img src=x onerror=alert(2)>'


def test_a_mail_body_is_plain_text_not_markup(db):
    ticket = make_ticket(name=PAYLOAD)
    body = services.render_mail_text("triage/email/acknowledgement.txt", {"ticket": ticket})
    assert PAYLOAD in body  # the e-mail itself is plain text: nothing escaped in it
    assert not isinstance(body, SafeData)


def test_the_transfer_preview_shows_the_typed_markup_as_text(agent_client, seed_tree):
    ticket = make_ticket(name=PAYLOAD, trail=[{"question": PAYLOAD, "answer": "Oui"}])
    line = SupportLine.objects.get(slug="ans-support-e-cps")
    page = agent_client.get(f"/agents/tickets/{ticket.pk}/transfert/?line={line.pk}")
    html = page.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html and "<img src=x" not in html


def test_every_mail_template_is_rendered_through_render_mail_text():
    """The class of defect, not one instance: no code renders a mail template itself."""
    offenders = []
    for path in Path("triage").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "render_to_string"
                    and node.args and isinstance(node.args[0], ast.Constant)
                    and str(node.args[0].value).endswith(".txt")):
                offenders.append(f"{path}:{node.lineno}")
    assert offenders == []
