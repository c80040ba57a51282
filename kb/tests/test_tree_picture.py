"""The tree as a picture: every step and answer drawn, each box linked to its wizard page,
and the nested lists say the same."""

import re
import textwrap
from html import unescape

import pytest

from kb.snapshot import published
from kb.tests.factories import as_typed
from kb.tree_picture import outline, picture


@pytest.fixture
def page(client, seed_tree):
    response = client.get("/vue-d-ensemble/")
    assert response.status_code == 200
    return unescape(response.content.decode()).replace("\u00a0", " ").replace("\u202f", " ")


def svg_of(page: str) -> str:
    return re.search(r"<svg class=\"tree-picture\".*?</svg>", page, re.S).group()


def test_the_picture_has_every_step_and_answer_linked_to_its_page(page, seed_tree):
    content = published.get()
    svg = svg_of(page)
    links = dict(re.findall(r'<a href="([^"]+)" tabindex="-1" class="tree-box[^"]*" '
                            r'data-slug="([^"]+)"', svg))
    by_slug = {slug: url for url, slug in links.items()}
    assert set(by_slug) == set(content.steps)  # the reference tree: every step reachable
    for slug, step in content.steps.items():
        # Each box opens its step as reached directly (no answer claimed); the first
        # question opens the wizard.
        url = by_slug[slug]
        if step is content.start:
            assert url == "/parcours/"
            continue
        assert url == f"/parcours/etape/{slug}/?via=vue-d-ensemble"
        assert content.walk((), arrived_at=slug).step.slug == slug
        first_words = step.heading.split()[:2]
        assert " ".join(first_words) in svg, step.heading
        for answer in step.answers:  # each answer's label, as wrapped on its arrow
            for line in textwrap.wrap(answer.label, 24)[:3]:
                assert 'class="tree-answer"' in svg and f">{line}</text>" in svg, answer.label
    arrows = sum(len(step.answers) for step in content.steps.values())
    # Each answer: a curve to its label, then one on to its step, with the arrowhead.
    assert svg.count('<path class="tree-arrow"') == 2 * arrows
    assert svg.count('marker-end="url(#tree-arrow)"') == arrows
    # A support line's box carries its number.
    assert "Tél. 0 825 85 20 00" in svg


def test_the_nested_lists_match_the_picture(page, seed_tree):
    content = published.get()
    drawn = picture(content)
    lists = re.sub(r'<a class="glossary-term" href="[^"]+">([^<]+)</a>', r"\1",
                   as_typed(page[page.index('<ul class="tree-outline">'):]))
    for box in drawn.boxes:
        assert f'<a href="{box.url}">{box.step.heading}</a>' in lists
    for step in content.steps.values():
        for answer in step.answers:
            assert f'<span class="tree-outline-answer">{answer.label}</span>' in lists
    # A step reached by two answers is listed once in full, then named.
    tree = outline(content, drawn)
    assert lists.count("(déjà présentée plus haut)") == count_repeats(tree)
    assert count_repeats(tree) > 0


def count_repeats(branch) -> int:
    return int(branch.seen_before) + sum(count_repeats(child) for child in branch.children)


def rectangles(drawn):
    """Every box and every answer's label, as (name, x, y, width, height)."""
    return ([(box.step.slug, box.x, box.y, box.width, box.height) for box in drawn.boxes]
            + [(f"« {arrow.label} »", *arrow.label_box) for arrow in drawn.arrows])


def segments(polyline):
    return list(zip(polyline, polyline[1:], strict=False))


def cross(a, b, c, d) -> bool:
    """Whether segments ab and cd cross at a point inside both (touching ends excluded)."""
    def side(p, q, r):
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
    d1, d2, d3, d4 = side(c, d, a), side(c, d, b), side(a, b, c), side(a, b, d)
    return d1 * d2 < 0 and d3 * d4 < 0


def enters(rectangle, polyline, inset=2.0) -> bool:
    """Whether a curve passes through the inside of a rectangle (its border excluded)."""
    _, x, y, width, height = rectangle
    left, top, right, bottom = x + inset, y + inset, x + width - inset, y + height - inset
    for (x1, y1), (x2, y2) in segments(polyline):
        for n in range(11):  # points along the short segment
            px, py = x1 + (x2 - x1) * n / 10, y1 + (y2 - y1) * n / 10
            if left < px < right and top < py < bottom:
                return True
    return False


def test_no_label_or_box_is_crossed_and_no_two_arrows_cross(seed_tree):
    """Measured on the drawing of the reference tree: each curve touches only the box it
    leaves and the one it reaches; no two curves cross (a drawing without crossing exists:
    this one)."""
    drawn = picture(published.get())
    boxes = {box.step.slug: box for box in drawn.boxes}
    curves = []
    for arrow in drawn.arrows:
        to_label, from_label = arrow.polylines()
        source = next(b for b in drawn.boxes
                      if any(a.label == arrow.label for a in b.step.answers)
                      and abs(to_label[0][1] - (b.y + b.height)) < 3
                      and b.x - 1 <= to_label[0][0] <= b.x + b.width + 1)
        target = next(b for b in boxes.values()
                      if abs(from_label[-1][1] - b.y) < 12
                      and b.x - 1 <= from_label[-1][0] <= b.x + b.width + 1)
        own = {source.step.slug, target.step.slug, f"« {arrow.label} »"}
        for rectangle in rectangles(drawn):
            if rectangle[0] in own:
                continue
            assert not enters(rectangle, to_label), (arrow.label, rectangle[0])
            assert not enters(rectangle, from_label), (arrow.label, rectangle[0])
        curves += [(arrow.label, "vers", to_label), (arrow.label, "depuis", from_label)]
    crossings = [(a[:2], b[:2]) for i, a in enumerate(curves) for b in curves[i + 1:]
                 if any(cross(*s, *t) for s in segments(a[2]) for t in segments(b[2]))]
    assert crossings == []
    # And no label lies on another label or box.
    shapes = rectangles(drawn)
    for i, first in enumerate(shapes):
        for second in shapes[i + 1:]:
            _, x1, y1, w1, h1 = first
            _, x2, y2, w2, h2 = second
            assert x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1, (
                first[0], second[0])


def test_a_box_never_overlaps_another(seed_tree):
    drawn = picture(published.get())
    for first in drawn.boxes:
        for second in drawn.boxes:
            if first is not second:
                apart = (first.x + 190 <= second.x or second.x + 190 <= first.x
                         or first.y + first.height <= second.y
                         or second.y + second.height <= first.y)
                assert apart, (first.step.slug, second.step.slug)
        assert first.x >= 0 and first.x + 190 <= drawn.width
        assert first.y >= 0 and first.y + first.height <= drawn.height


def test_an_empty_tree_says_so(client, db):
    response = client.get("/vue-d-ensemble/")
    assert response.status_code == 200
    assert "pas encore publié" in response.content.decode()


def test_editors_see_the_drafts_tree_with_edit_links_problems_and_changes(seed_tree, editor,
                                                                         client):
    from kb.models import Answer, Step

    client.force_login(editor)
    card = Step.objects.get(slug="probleme-carte")
    card.title = "Problème de carte : appelez le support des cartes"
    card.save()
    broken = Step.objects.get(slug="methode-a-erreur")
    Answer.objects.filter(question=broken).exclude(next_step=card).delete()  # 1 answer left
    html = unescape(client.get("/admin/kb/contentversion/arbre/").content.decode())
    svg = svg_of(html)
    assert f'href="/admin/kb/step/{card.pk}/change/"' in svg
    flagged = {slug: (state, title) for state, slug, title in re.findall(
        r'class="tree-box[^"]*tree-flagged tree-([a-z-]+)" data-slug="([^"]+)">'
        r"<title>([^<]+)</title>", svg)}
    assert flagged["probleme-carte"] == ("changed", "Modifiée depuis la publication")
    assert flagged["methode-a-erreur"][0] == "to-fix"
    assert flagged["methode-a-erreur"][1].startswith("À corriger : ")
    # Drawn differently, and the legend says which is which.
    assert "Modifiée depuis la publication</li>" in html and "À corriger avant publication" in html
    assert "methode-b" not in flagged
    side = client.get("/admin/kb/contentversion/arbre/?vue=cote-a-cote").content.decode()
    assert side.count('<svg class="tree-picture"') == 2
    assert "Version publiée 1" in side


def test_agents_cannot_open_the_drafts_tree(seed_tree, agent, client):
    client.force_login(agent)
    assert client.get("/admin/kb/contentversion/arbre/").status_code == 403


def test_the_admin_menus_tell_the_look_alike_questions_apart(seed_tree, editor, client,
                                                            django_assert_max_num_queries):
    from kb.models import Step

    client.force_login(editor)
    with django_assert_max_num_queries(12):  # positions prefetched, not one query per step
        response = client.get("/admin/autocomplete/", {
            "app_label": "kb", "model_name": "answer", "field_name": "next_step",
            "term": "Quel problème"})
    texts = sorted(result["text"] for result in response.json()["results"])
    assert texts == [
        "Quel problème rencontrez-vous ? — après « Je rencontre une erreur » "
        "(Que se passe-t-il ?)",
        "Quel problème rencontrez-vous ? — après « Non, je rencontre une erreur » "
        "(Activez votre e-CPS avec votre carte (méthode A))",
    ]
    # The same names in the answers of a question's form (the selected values).
    page = client.get(f"/admin/kb/step/{Step.objects.get(slug='methode-a').pk}/change/")
    assert "— après « Non, je rencontre une erreur »" in unescape(page.content.decode())
    listing = unescape(client.get("/admin/kb/step/").content.decode())
    assert "première question du parcours" in listing and ", et 1 autre chemin" in listing


def test_the_readme_picture_is_drawn_from_the_published_tree(seed_tree, tmp_path):
    from xml.etree import ElementTree

    from django.core.management import call_command

    target = tmp_path / "parcours.svg"
    call_command("draw_tree", str(target), stdout=None)
    root = ElementTree.parse(target).getroot()  # well-formed, standalone
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = target.read_text()
    assert text.count('class="tree-box ') == len(published.get().steps)
    assert "<style>" in text and "<a " not in text  # a picture, no links to follow
