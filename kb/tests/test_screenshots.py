"""Screenshots in tutorials: an editor's upload, with its required description, becomes WebP
files at the widths phones need, written through the storage setting, offered to browsers
with srcset, carried by exports; and the drawings the project ships for methods A and B."""

import io
import json
import re
import xml.etree.ElementTree as ElementTree
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image

from kb import illustrations, images
from kb.document import DocumentError, draft_document, to_json
from kb.models import TutorialStep
from kb.services import REFERENCE_CONTENT, export_archive, import_content, import_file
from kb.templatetags.french import french_spacing
from kb.tests.factories import publish


def picture(width=2000, height=1000, *, fmt="PNG", exif=None) -> bytes:
    """A screenshot-like image: a dark bar on the left, so that a rotation shows."""
    image = Image.new("RGB", (width, height), "white")
    image.paste((20, 40, 120), (0, 0, width // 10, height))
    out = io.BytesIO()
    image.save(out, fmt, **({"exif": exif} if exif is not None else {}))
    return out.getvalue()


def upload(data: bytes, name="capture.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


class FormFields(HTMLParser):
    """The fields a browser would send with a page's main form (inputs, selects, textareas),
    so that a test posts an admin form with its inlines exactly as an editor would."""

    def __init__(self):
        super().__init__()
        self.fields, self._textarea, self._select = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "file", "button"}:
            if attrs.get("type") in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.fields[name] = attrs.get("value", "on")
        elif tag == "textarea" and name:
            self._textarea, self.fields[name] = name, ""
        elif tag == "select" and name:
            self._select, self.fields[name] = name, ""
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields[self._select] = attrs.get("value", "")

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            # A browser drops the one newline that follows <textarea>; so does this.
            self.fields[self._textarea] = self.fields[self._textarea].removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None


@pytest.fixture
def editor_client(client, editor, seed_tree):
    client.force_login(editor)
    return client


def method_a():
    return TutorialStep.objects.filter(tutorial__slug="activer-e-cps-avec-carte")


def post_screenshot(client, step: TutorialStep, data: bytes, alt: str):
    """Upload `data` on `step` through the tutorial's admin form, as an editor does."""
    url = f"/admin/kb/tutorial/{step.tutorial_id}/change/"
    parser = FormFields()
    parser.feed(client.get(url).content.decode())
    fields = parser.fields
    index = next(key.split("-")[1] for key, value in fields.items()
                 if re.fullmatch(r"steps-\d+-id", key) and value == str(step.pk))
    fields[f"steps-{index}-screenshot_alt"] = alt
    fields[f"steps-{index}-screenshot"] = upload(data)
    fields["_continue"] = "1"
    return client.post(url, fields)


def stored_names() -> set[str]:
    _folders, files = default_storage.listdir("tutoriels") if default_storage.exists(
        "tutoriels") else ([], [])
    return {f"tutoriels/{name}" for name in files}


def test_an_uploaded_screenshot_without_a_description_is_refused(editor_client):
    step = method_a().get(title="Commencez l'activation")
    response = post_screenshot(editor_client, step, picture(), alt="  ")
    assert response.status_code == 200  # the form again, with its error
    html = unescape(response.content.decode())
    assert "Décrivez la capture d'écran pour les personnes qui ne la voient pas." in html
    step.refresh_from_db()
    assert not step.screenshot and stored_names() == set()


def test_a_file_that_is_not_an_image_is_refused_in_french(editor_client):
    step = method_a().get(title="Commencez l'activation")
    response = post_screenshot(editor_client, step, b"%PDF-1.4 not an image",
                               alt="L'écran de démarrage")
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "Téléversez une image valide. Le fichier que vous avez transféré n’est pas une " \
           "image ou bien est corrompu." in html
    step.refresh_from_db()
    assert not step.screenshot and stored_names() == set()


def test_decode_refuses_what_would_hurt_the_server():
    too_heavy = SimpleUploadedFile("gros.png", b"\0" * (images.MAX_BYTES + 1))
    with pytest.raises(images.ScreenshotError, match="10 Mo"):
        images.decode(too_heavy)
    huge = SimpleUploadedFile("immense.png", picture(8000, 6000))  # 48 million pixels
    with pytest.raises(images.ScreenshotError, match="40 millions"):
        images.decode(huge)
    bmp = SimpleUploadedFile("ecran.bmp", picture(100, 100, fmt="BMP"))
    with pytest.raises(images.ScreenshotError, match="PNG, JPEG, WebP ou GIF"):
        images.decode(bmp)


def test_an_upload_is_stored_in_webp_at_the_widths_phones_need(editor_client):
    step = method_a().get(title="Commencez l'activation")
    response = post_screenshot(editor_client, step, picture(2000, 1000),
                               alt="Le bouton « Commencer l'activation » du portail")
    assert response.status_code == 302
    step.refresh_from_db()
    assert re.fullmatch(r"tutoriels/[0-9a-f]{16}-1440\.webp", step.screenshot.name)
    assert (step.screenshot_width, step.screenshot_height) == (1440, 720)  # reduced, not cut
    digest = step.screenshot.name[10:26]
    assert stored_names() == {f"tutoriels/{digest}-{w}.webp" for w in (360, 720, 1080, 1440)}
    for width in (360, 720, 1080, 1440):
        with default_storage.open(f"tutoriels/{digest}-{width}.webp") as file:
            stored = Image.open(file)
            assert stored.format == "WEBP" and stored.size == (width, width // 2)
    # The same image sent again is the same files: nothing more is stored.
    post_screenshot(editor_client, step, picture(2000, 1000), alt="La même")
    assert len(stored_names()) == 4


def test_a_phone_photo_is_turned_upright_and_loses_its_metadata(editor_client):
    exif = Image.Exif()
    exif[0x0112] = 6  # taken sideways: turn 90° clockwise to view
    exif[0x010F] = "Téléphone de Dr Martin"  # who made it: must not reach the public
    step = method_a().get(title="Commencez l'activation")
    post_screenshot(editor_client, step, picture(1600, 800, fmt="JPEG", exif=exif),
                    alt="L'écran du téléphone")
    step.refresh_from_db()
    assert (step.screenshot_width, step.screenshot_height) == (800, 1600)  # upright
    with default_storage.open(step.screenshot.name) as file:
        data = file.read()
    stored = Image.open(io.BytesIO(data))
    assert not stored.getexif() and b"Dr Martin" not in data
    assert stored.getpixel((400, 10))[2] > 100  # the bar is now at the top
    # Never enlarged; 720 is too close to 800 to be worth a file of its own.
    assert images.widths_for(800) == [360, 800] and images.widths_for(300) == [300]


def test_uploads_go_through_the_storage_setting(editor_client, settings, tmp_path):
    """With another storage (here Django's in-memory one, as an object store would be),
    nothing is written to the media folder, and the site still serves the files."""
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.InMemoryStorage"}}
    settings.MEDIA_ROOT = tmp_path / "must-stay-empty"
    step = method_a().get(title="Commencez l'activation")
    post_screenshot(editor_client, step, picture(1000, 500), alt="L'écran de démarrage")
    step.refresh_from_db()
    assert default_storage.__class__.__name__ == "InMemoryStorage"
    assert default_storage.exists(step.screenshot.name)
    assert not settings.MEDIA_ROOT.exists()
    response = editor_client.get(f"/media/{step.screenshot.name}")
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"


def test_the_tutorial_offers_every_width_and_the_files_are_cached_for_a_year(
        editor_client, client):
    step = method_a().get(title="Commencez l'activation")
    post_screenshot(editor_client, step, picture(2000, 1000), alt="Le bouton du portail")
    publish()
    html = client.get("/tutoriels/activer-e-cps-avec-carte/").content.decode()
    img = re.search(r'<img src="([^"]+)" srcset="([^"]+)" sizes="([^"]+)" width="1440" '
                    r'height="720" alt="Le bouton du portail"', html)
    assert img, "the screenshot is shown with srcset, sizes and its dimensions"
    src, srcset, sizes = img.groups()
    candidates = dict(reversed(item.rsplit(" ", 1)) for item in srcset.split(", "))
    assert list(candidates) == ["360w", "720w", "1080w", "1440w"]
    assert src == candidates["720w"] and sizes == images.SIZES
    for url in candidates.values():
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/webp"
        assert response["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize("path", [
    "/media/tutoriels/0123456789abcdef-720.webp",  # a well-formed name that is not stored
    "/media/tutoriels/../../helpdesk/settings.py",
    "/media/secrets.txt",
    "/media/tutoriels/page.html",
])
def test_the_media_address_serves_screenshots_and_nothing_else(client, path, settings):
    (settings.MEDIA_ROOT / "tutoriels").mkdir(parents=True)
    (settings.MEDIA_ROOT / "secrets.txt").write_text("secret")
    (settings.MEDIA_ROOT / "tutoriels" / "page.html").write_text("<script>")
    assert client.get(path).status_code == 404


def test_an_archive_carries_the_screenshots_to_another_site(editor_client, settings, tmp_path):
    step = method_a().get(title="Commencez l'activation")
    post_screenshot(editor_client, step, picture(1200, 600), alt="Le bouton du portail")
    version = publish()
    archive = export_archive(version)
    shown = {name for name, _place in images.stored_files(json.loads(version.document))}
    assert len(shown) == 3 and shown == stored_names()  # 360, 720 and 1200

    settings.MEDIA_ROOT = tmp_path / "another-site"  # a site without the files
    with pytest.raises(DocumentError) as refused:
        import_content(text=version.document)  # the JSON alone cannot show them
    assert "tutorials[0].steps[2].screenshot" in refused.value.errors[0]
    assert "Importez l'archive .zip" in refused.value.errors[0]
    import_file(archive)
    assert stored_names() == shown
    assert draft_document() == json.loads(version.document)


def test_an_archive_with_a_forged_image_is_refused_and_nothing_changes(editor_client,
                                                                       settings, tmp_path):
    import zipfile

    step = method_a().get(title="Commencez l'activation")
    post_screenshot(editor_client, step, picture(500, 250), alt="Le bouton du portail")
    step.refresh_from_db()
    version = publish()
    forged = io.BytesIO()
    with zipfile.ZipFile(forged, "w") as archive:
        archive.writestr("contenu.json", version.document)
        archive.writestr(step.screenshot.name, b"<svg onload=alert(1)>")
    settings.MEDIA_ROOT = tmp_path / "another-site"
    before = draft_document()
    with pytest.raises(DocumentError):
        import_file(forged.getvalue())
    assert stored_names() == set() and draft_document() == before
    with pytest.raises(DocumentError, match="ne contient pas de « contenu.json »"):
        import_file(_zip({"autre.json": "{}"}))
    with pytest.raises(DocumentError, match="illisible"):
        import_file(b"PK\x03\x04 not really a zip")


def _zip(files: dict[str, str]) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


def test_the_commands_export_and_import_archives(editor_client, settings, tmp_path):
    step = method_a().get(title="Commencez l'activation")
    post_screenshot(editor_client, step, picture(800, 400), alt="Le bouton du portail")
    publish()
    call_command("export_content", str(tmp_path / "contenu.zip"), verbosity=0)
    settings.MEDIA_ROOT = tmp_path / "another-site"
    call_command("import_content", str(tmp_path / "contenu.zip"), verbosity=0)
    assert len(stored_names()) == 2  # 360 and 800


def test_the_admin_exports_and_imports_an_archive(editor_client, settings, tmp_path):
    step = method_a().get(title="Commencez l'activation")
    post_screenshot(editor_client, step, picture(800, 400), alt="Le bouton du portail")
    version = publish()
    response = editor_client.get("/admin/kb/contentversion/exporter/?avec=images")
    assert response["Content-Type"] == "application/zip"
    assert f"contenu-ecps-version-{version.number}.zip" in response["Content-Disposition"]
    settings.MEDIA_ROOT = tmp_path / "another-site"
    response = editor_client.post("/admin/kb/contentversion/importer/", {
        "file": SimpleUploadedFile("contenu.zip", response.content)})
    assert response.status_code == 302, unescape(response.content.decode())
    assert len(stored_names()) == 2


# --- The project's own drawings ---------------------------------------------------------

def test_methods_a_and_b_show_the_three_drawings_with_their_descriptions(client, seed_tree):
    for slug, wanted in [
        ("activer-e-cps-avec-carte", ["qr-code", "code-d-ajout", "mot-de-passe"]),
        ("activer-e-cps-avec-coordonnees", ["qr-code", "mot-de-passe"]),
        ("choisir-mot-de-passe", ["mot-de-passe"]),
    ]:
        html = unescape(client.get(f"/tutoriels/{slug}/").content.decode())
        shown = re.findall(r'<img src="/static/illustrations/([a-z-]+)\.svg" alt="([^"]+)"',
                           html)
        assert [name for name, _alt in shown] == wanted
        for name, alt in shown:
            assert alt == french_spacing(illustrations.description(name))


@pytest.mark.parametrize("name", list(illustrations.ILLUSTRATIONS))
def test_each_drawing_is_a_clean_svg_file(name):
    path = Path(settings.BASE_DIR) / "static" / "illustrations" / f"{name}.svg"
    root = ElementTree.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 480 300"  # the template's width and height
    text = path.read_text()
    assert "<script" not in text and 'href="http' not in text and "onload" not in text


def test_an_unknown_drawing_is_refused_at_publication(seed_tree):
    from kb.validation import problems

    step = method_a().first()
    step.illustration = "plan-du-metro"
    step.save()
    assert any("« plan-du-metro » n'existe pas" in str(p) for p in problems(draft_document()))


def test_a_version_from_before_the_new_fields_still_equals_its_draft(seed_tree):
    """Steps without a drawing or a screenshot write neither: a version published before
    these fields existed is, byte for byte, what its draft gives today (else every editor
    would see « unpublished changes » after the upgrade)."""
    earlier = json.loads(REFERENCE_CONTENT.read_text(encoding="utf-8"))
    for tutorial in earlier["tutorials"]:
        for step in tutorial["steps"]:
            step.pop("illustration", None)
    earlier_text = to_json(earlier)
    assert "illustration" not in earlier_text and "screenshot_width" not in earlier_text
    import_content(text=earlier_text)
    assert to_json(draft_document()) == earlier_text
