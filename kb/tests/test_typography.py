from django.template import Context, Template

from kb.markdown import render_markdown
from kb.templatetags.french import NBSP, french_spacing


def test_high_punctuation_and_guillemets_get_a_non_breaking_space():
    assert french_spacing("Ma e-CPS est activée ?") == f"Ma e-CPS est activée{NBSP}?"
    assert french_spacing("Attention : « code PIN » !") == (
        f"Attention{NBSP}: «{NBSP}code PIN{NBSP}»{NBSP}!"
    )


def test_spacing_is_idempotent_and_leaves_urls_and_times_alone():
    once = french_spacing("Besoin d'aide ? https://example.fr/a?b=1 de 8:30 à 18:00")
    assert french_spacing(once) == once
    assert "https://example.fr/a?b=1" in once
    assert "8:30" in once


def test_the_filter_escapes_before_spacing():
    html = Template("{% load french %}{{ value|typo }}").render(
        Context({"value": "<script>alert(1)</script> ?"})
    )
    assert html == f"&lt;script&gt;alert(1)&lt;/script&gt;{NBSP}?"


def test_tutorial_bodies_get_the_same_spacing():
    assert render_markdown("Vous êtes bloqué ?") == f"<p>Vous êtes bloqué{NBSP}?</p>"


def test_e_cps_never_breaks_at_its_hyphen_and_stays_as_typed_where_markup_cannot_go():
    from kb.templatetags.french import french_spacing_html

    html = french_spacing_html(
        '<title>Ma e-CPS</title><p title="la e-CPS">Activez votre e-CPS.</p>'
        '<select><option>e-CPS</option></select><textarea>ma e-CPS</textarea>'
        '<svg><text>Votre e-CPS</text></svg><a href="/e-CPS/">e-CPS</a>')
    assert html == (
        '<title>Ma e-CPS</title><p title="la e-CPS">Activez votre '
        '<span class="text-nowrap">e-CPS</span>.</p><select><option>e-CPS</option></select>'
        '<textarea>ma e-CPS</textarea><svg><text>Votre e-CPS</text></svg>'
        '<a href="/e-CPS/"><span class="text-nowrap">e-CPS</span></a>')
