from kb.models import Tutorial
from kb.pages import describe_pages
from kb.tests.factories import publish

VISITED = [
    "/parcours/methode-b/methode-b-probleme/methode-b-erreur/probleme-application/",
    "/tutoriels/installer-application/",
    "/recherche/?q=code+pin+bloqu%C3%A9",
    "/problemes-connus/",
]


def test_visited_pages_are_named_by_their_titles(seed_tree, settings,
                                                django_assert_num_queries):
    settings.KB_CONTENT_CHECK_SECONDS = 3600
    describe_pages([])
    with django_assert_num_queries(0):  # from the published snapshot in memory
        described = describe_pages(VISITED)
    assert [path for path, _title in described] == VISITED
    titles = [title for _path, title in described]
    assert titles[0].startswith("Parcours guidé : Problème avec l'application e-CPS")
    assert titles[1] == "Tutoriel : Installer et régler l'application e-CPS"
    assert titles[2] == "Recherche « code pin bloqué »"
    assert titles[3] == "Problèmes connus et solutions"


def test_a_page_that_no_longer_exists_keeps_its_path(seed_tree):
    Tutorial.objects.filter(slug="installer-application").delete()
    publish()
    paths = ["/tutoriels/installer-application/", "/parcours/methode-b/disparue/", "/ailleurs/"]
    assert [title for _path, title in describe_pages(paths)] == paths
