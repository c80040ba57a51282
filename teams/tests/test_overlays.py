"""A team's overlay: what it adds on top of the national content, published by its own
editors with the rest of the content (one version number per publication), never copying
national content; a national publication that would break it is refused, the team named."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

from kb.models import ContentVersion, Overlay, Step, SupportLine, Tutorial
from kb.services import PublishRefused, pending_changes, publish_content
from teams.models import Team

ADMIN = "/admin/kb/"


@pytest.fixture
def teams(seed_tree):
    call_command("load_teams", verbosity=0)


def team_editor(django_user_model, username, team):
    user = django_user_model.objects.create_user(username, f"{username}@example.fr",
                                                 "x-Secret-42", is_staff=True)
    user.groups.add(Group.objects.get(name="Éditeurs d'équipe"))
    Team.objects.get(slug=team).members.add(user)
    return user


@pytest.fixture
def hdf_editor(teams, django_user_model):
    return team_editor(django_user_model, "hugo", "hdf")


@pytest.fixture
def paca_editor(teams, django_user_model):
    return team_editor(django_user_model, "paula", "paca")


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_reference_content_carries_the_three_overlays(client, teams):
    html = client.get("/paca/assistance/").content.decode()
    assert "Votre équipe régionale\xa0: Portail de santé PACA" in html
    assert html.index("aide@iess.fr") < html.index("Lignes nationales")
    # The hdf team's line is hung on « ma e-CPS est activée », at its door only.
    success = "/parcours/methode-b/ecps-activee/"
    assert "03 62 94 39 82" in client.get("/hdf" + success).content.decode()
    assert "03 62 94 39 82" not in client.get(success).content.decode()
    assert "03 62 94 39 82" not in client.get("/paca" + success).content.decode()


def test_a_team_editor_publishes_its_overlay_and_nothing_else(teams, hdf_editor, editor):
    Overlay.objects.filter(slug="hdf").update(welcome="Bienvenue chez fimatho.")
    SupportLine.objects.filter(slug="fimatho").update(opening_hours="9 h – 17 h")
    SupportLine.objects.filter(slug="ans-support-cartes").update(phone="0 825 85 20 01")
    Overlay.objects.filter(slug="paca").update(welcome="Unfinished PACA text.")
    pending = {change.key: change for change in pending_changes(hdf_editor)}
    assert {key for key, change in pending.items() if change.allowed} == {
        "equipe:hdf", "ligne:fimatho"}
    with pytest.raises(PublishRefused, match="« ligne:ans-support-cartes » appartient"):
        publish_content(user=hdf_editor, only={"ligne:ans-support-cartes"})
    with pytest.raises(PublishRefused, match="« equipe:paca » appartient"):
        publish_content(user=hdf_editor, only={"equipe:paca"})
    # « Tout publier » for a team editor: their own changes only.
    version = publish_content(user=hdf_editor, note="Accueil")
    assert version.number == 2 and version.published_by == "hugo"
    assert {change.key for change in pending_changes()} == {"ligne:ans-support-cartes",
                                                            "equipe:paca"}
    # The national editor cannot publish a team's unfinished work either.
    with pytest.raises(PublishRefused, match="« equipe:paca » appartient"):
        publish_content(user=editor, only={"equipe:paca"})
    publish_content(user=editor)
    assert {change.key for change in pending_changes()} == {"equipe:paca"}
    client = Client()
    assert "Bienvenue chez fimatho." in client.get("/hdf/").content.decode()
    assert "Unfinished" not in client.get("/paca/").content.decode()


def test_a_team_editor_changes_only_its_own_objects_in_the_admin(hdf_editor, paca_editor):
    client = logged_in(hdf_editor)
    fimatho = SupportLine.objects.get(slug="fimatho")
    cards = SupportLine.objects.get(slug="ans-support-cartes")
    paca_line = SupportLine.objects.get(slug="portail-sante-paca")
    assert client.get(f"{ADMIN}supportline/{fimatho.pk}/change/").status_code == 200
    html = client.get(f"{ADMIN}supportline/{cards.pk}/change/").content.decode()
    assert 'name="phone"' not in html  # read only: national
    html = client.get(f"{ADMIN}supportline/{paca_line.pk}/change/").content.decode()
    assert 'name="phone"' not in html  # read only: another team
    response = client.post(f"{ADMIN}supportline/{cards.pk}/change/", {"phone": "0100000000"})
    assert response.status_code == 403
    overlay = Overlay.objects.get(slug="paca")
    assert client.post(f"{ADMIN}overlay/{overlay.pk}/delete/", {"post": "yes"}
                       ).status_code == 403
    assert Overlay.objects.filter(slug="paca").exists()
    # The tree and the glossary are national: read only for a team editor.
    step = Step.objects.get(slug="carte-cpx")
    assert 'name="question"' not in client.get(f"{ADMIN}step/{step.pk}/change/"
                                               ).content.decode()
    # A new tutorial of theirs can only be theirs.
    html = client.get(f"{ADMIN}tutorial/add/").content.decode()
    team_select = html[html.index('name="team"'):]
    team_select = team_select[:team_select.index("</select>")]
    assert '<option value="hdf">hdf</option>' in team_select and "paca" not in team_select
    # Reverting or importing the whole content is national work.
    assert client.get("/admin/kb/contentversion/1/retablir/").status_code == 403
    assert client.get("/admin/kb/contentversion/importer/").status_code == 403


def test_a_national_publication_that_breaks_an_overlay_is_refused_naming_it(teams):
    from kb.services import published_document
    from kb.validation import problems

    # The national tree reshaped: « ma e-CPS est activée », where hdf hangs its line, is gone.
    document = published_document()
    document["steps"] = [s for s in document["steps"] if s["slug"] != "ecps-activee"]
    messages = [str(problem) for problem in problems(document)
                if problem.collection == "overlays"]
    assert messages == ["Ce qu'ajoute l'équipe « hdf » porte sur l'étape « ecps-activee »"
                        ", qui n'existe pas ou plus : ses éditeurs doivent d'abord retirer "
                        "cet ajout."]


def test_a_national_line_removed_under_an_overlay_is_refused_with_the_team_named(teams):
    SupportLine.objects.filter(slug="fimatho").update(team="")  # say it became national
    publish_content(only={"ligne:fimatho"})
    SupportLine.objects.filter(slug="fimatho").delete()
    with pytest.raises(PublishRefused) as refused:
        publish_content(only={"ligne:fimatho"})
    text = str(refused.value)
    assert "Ce qu'ajoute l'équipe « hdf » renvoie vers la ligne « fimatho », qui n'existe" in text
    assert "Ajouts de l'équipe « hdf » (modifié)" in text.splitlines()[0]
    assert ContentVersion.objects.count() == 2


def test_an_overlay_is_exported_and_imported_byte_identical(teams, tmp_path):
    out = tmp_path / "hdf.json"
    call_command("export_overlay", "hdf", "--output", str(out), verbosity=0)
    first = out.read_bytes()
    text = first.decode()
    assert '"team": "hdf"' in text and "Équipe fimatho" in text and "se-connecter-rcp-sara" in text
    assert "Support des cartes CPx" not in text  # national content is never copied
    # Changed and published, then imported back and published again: the same bytes.
    Overlay.objects.filter(slug="hdf").update(welcome="Autre accueil")
    Tutorial.objects.filter(slug="se-connecter-rcp-sara").update(title="Autre titre")
    publish_content()
    call_command("import_overlay", str(out), verbosity=0)
    assert {change.key for change in pending_changes()} == {
        "equipe:hdf", "tutoriel:se-connecter-rcp-sara"}
    publish_content()
    call_command("export_overlay", "hdf", "--output", str(out), verbosity=0)
    assert out.read_bytes() == first


def test_the_tree_and_the_dashboard_show_what_the_teams_add(teams, editor):
    client = logged_in(editor)
    html = client.get("/admin/kb/contentversion/arbre/").content.decode()
    assert 'tree-added" data-slug="ecps-activee"' in html
    assert "Équipe fimatho en tête pour l&#x27;équipe « hdf »" in html
    assert "Une équipe régionale y ajoute sa ligne" in html
    html = client.get("/admin/kb/contentversion/tableau-de-bord/").content.decode()
    hdf = html.split("<td>/hdf/")[1].split("</tr>")[0]
    assert "Ce qu'ajoutent les équipes régionales" in html
    assert "Ligne « Équipe fimatho »" in hdf and "Tutoriel « " in hdf and "RCP SARA" in hdf
    assert "ecps-activee — Équipe fimatho en tête pour l&#x27;équipe « hdf »" in hdf
    assert "Ligne « Assistance du Portail de santé PACA »" in html.split("<td>/paca/")[1]
