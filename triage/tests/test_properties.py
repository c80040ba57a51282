"""Property-based: whatever a visitor or an agent types, the answer is never a 500 (the test
client re-raises any exception). Runs on SQLite and, in CI, on PostgreSQL."""

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.identifiers import national_identifier
from triage.tests.factories import VALID_FORM, make_ticket

# Any Unicode text, NUL and control characters included (surrogates cannot be encoded).
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)
DIGITISH = st.text(st.sampled_from("0123456789 .-/AB8aé\x00"), max_size=30)
EXAMPLES = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@given(text=st.one_of(TEXT, DIGITISH))
@EXAMPLES
def test_the_identifier_helper_accepts_or_explains(text):
    try:
        national_identifier(text)
    except ValidationError as error:
        assert error.messages and all(message.strip() for message in error.messages)


@given(text=st.one_of(TEXT, DIGITISH))
@EXAMPLES
def test_the_identifier_page_never_fails(client, seed_tree, text):
    assert client.post("/identifiant/", {"number": text}).status_code in (200, 400)


@given(query=TEXT)
@EXAMPLES
def test_search_never_fails(client, seed_tree, query):
    assert client.get("/recherche/", {"q": query}).status_code in (200, 400)


HELP_FIELDS = ["name", "email", "phone", "profession", "identifier_type", "identifier_number",
               "service", "description", "depuis"]


@given(fields=st.fixed_dictionaries({}, optional=dict.fromkeys(HELP_FIELDS, TEXT)))
@EXAMPLES
def test_the_help_form_never_fails(client, seed_tree, fields):
    response = client.post("/aide/", {**VALID_FORM, **fields})
    assert response.status_code in (302, 400, 429)


@given(subject=TEXT, body=TEXT)
@EXAMPLES
def test_the_reply_form_never_fails(agent_client, mailoutbox, subject, body):
    ticket = make_ticket()
    response = agent_client.post(f"/agents/tickets/{ticket.pk}/reponse/",
                                 {"subject": subject, "body": body})
    assert response.status_code in (302, 400)
