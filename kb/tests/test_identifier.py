import logging

import pytest
from django.core.exceptions import ValidationError

from kb.identifiers import luhn_is_valid, national_identifier


@pytest.mark.parametrize(("typed", "register", "identifier"), [
    ("10002232642", "RPPS", "810002232642"),  # seed 000's example
    ("810002232642", "RPPS", "810002232642"),  # the identifier itself
    ("8 1000 223 2642", "RPPS", "810002232642"),  # spaces tolerated
    ("1.00.02.23.26.42", "RPPS", "810002232642"),  # dots tolerated
    ("99700218144", "RPPS", "899700218144"),  # seed 004's test card
    ("8997/00218144", "RPPS", "899700218144"),  # as printed on that card
    ("10005173140", "RPPS", "810005173140"),
    ("123456789", "ADELI", "0123456789"),  # seeds' ADELI example
    ("0123456789", "ADELI", "0123456789"),
    ("78 93 1059 6", "ADELI", "0789310596"),
    ("2A1234567", "ADELI", "02A1234567"),  # Corse-du-Sud
    ("9b1234567", "ADELI", "09B1234567"),  # Martinique
])
def test_it_gives_the_national_identifier(typed, register, identifier):
    result = national_identifier(typed)
    assert (result.register, result.identifier) == (register, identifier)


@pytest.mark.parametrize(("typed", "message"), [
    ("12345678901", "clé de contrôle"),  # seeds' placeholder RPPS: wrong Luhn key
    ("812345678901", "clé de contrôle"),
    ("10002232643", "clé de contrôle"),  # one digit off
    ("1234", "a 4 chiffres"),
    ("1000223264212", "a 13 chiffres"),
    ("ABCDEFGHIJK", "que des chiffres"),
    ("2C1234567", "ADELI"),  # no such département
    ("1000-223-264é", "uniquement des chiffres"),
    ("", "Saisissez"),
])
def test_it_explains_what_is_wrong_in_french(typed, message):
    with pytest.raises(ValidationError, match=message):
        national_identifier(typed)


def test_luhn_follows_the_worked_example():
    assert luhn_is_valid("10002232642")
    assert not luhn_is_valid("810002232642")  # the prefix must be stripped first


def test_the_helper_page_answers_and_stores_nothing(client, db, django_assert_num_queries,
                                                     caplog, settings):
    caplog.set_level(logging.DEBUG)
    settings.KB_CONTENT_CHECK_SECONDS = 3600  # a warm process: the content is in memory
    client.get("/identifiant/")
    with django_assert_num_queries(0):
        response = client.post("/identifiant/", {"number": "10002232642"})
    html = response.content.decode()
    assert '<p class="national-identifier">810002232642</p>' in html
    assert "no-store" in response["Cache-Control"]
    assert "10002232642" not in caplog.text


def test_a_wrong_number_keeps_what_was_typed_next_to_the_message(client, db):
    response = client.post("/identifiant/", {"number": "1234 5678 901"})
    html = response.content.decode()
    assert "vérifiez votre numéro" in html
    assert 'value="1234 5678 901"' in html
    assert 'aria-invalid="true"' in html


def test_htmx_gets_only_the_tool(client, db):
    response = client.post("/identifiant/", {"number": "123456789"},
                           headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html and "0123456789" in html
    assert "clé d&#x27;un numéro ADELI ne peut pas être contrôlée" in html or \
        "clé d'un numéro ADELI ne peut pas être contrôlée" in html


def test_a_huge_or_binary_input_is_refused_cleanly(client, db):
    response = client.post("/identifiant/", {"number": "9" * 100_000})
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    # A NUL byte is never typed: the whole request is refused, in urlencoded and multipart
    # bodies alike (kb.middleware.reject_nul_bytes).
    response = client.post("/identifiant/", {"number": "\x00\xff\xfe garbage"})
    assert response.status_code == 400
    assert "Requête invalide" in response.content.decode()
