"""A warm process serves public pages without a single SQL query, whatever the size of the
content: they read the published snapshot in memory (kb.snapshot), never the draft tables."""

import pytest

from kb.snapshot import wizard_url
from kb.tests.factories import make_big_tree, publish

WIZARD_QUESTION = "/parcours/methode-b/"
WIZARD_OUTCOME = "/parcours/methode-b/methode-b-probleme/methode-b-erreur/probleme-application/"


@pytest.fixture
def warm(settings):
    """Between two checks for a newer version (one tiny query at most every second)."""
    settings.KB_CONTENT_CHECK_SECONDS = 3600


@pytest.mark.parametrize("url", [
    "/", WIZARD_QUESTION, WIZARD_OUTCOME, "/tutoriels/", "/tutoriels/activer-e-cps-avec-carte/",
    "/problemes-connus/", "/glossaire/", "/assistance/", "/recherche/?q=qr+code+pas+re%C3%A7u",
])
def test_a_public_page_makes_no_query_on_a_warm_process(client, seed_tree, warm, url,
                                                         django_assert_num_queries):
    client.get(url)  # warms this process: snapshot and search index built once
    for headers in ({}, {"HX-Request": "true"}):
        with django_assert_num_queries(0):
            response = client.get(url, headers=headers)
        assert response.status_code == 200


def test_the_first_page_rendered_makes_no_query_either(client, seed_tree, warm,
                                                       django_assert_num_queries):
    """Not only a page served from the page cache: rendering from the snapshot is free."""
    client.get("/")
    with django_assert_num_queries(0):
        assert client.get(WIZARD_OUTCOME).status_code == 200


@pytest.mark.parametrize("size", [10, 2000])
def test_a_big_tree_costs_no_query_either(client, db, warm, size, django_assert_num_queries):
    path = make_big_tree(size)
    publish()
    assert len(path) >= (2 if size == 10 else 10)
    client.get("/")
    with django_assert_num_queries(0):
        assert client.get(wizard_url(path[:-1])).status_code == 200
    with django_assert_num_queries(0):
        response = client.get(wizard_url(path))
    assert f"Issue {path[-1].removeprefix('etape-')}" in response.content.decode()


def test_otherwise_a_process_asks_only_for_the_latest_version_number(
        client, seed_tree, django_assert_num_queries):
    client.get(WIZARD_OUTCOME)
    # Checked on every request in this test: the latest version number, and whether a team
    # changed (its front door).
    with django_assert_num_queries(2) as captured:
        client.get(WIZARD_OUTCOME)
    assert "kb_contentversion" in captured.captured_queries[0]["sql"]
    assert "teams_team" in captured.captured_queries[1]["sql"]
