"""A fuzzer of our own (issue 24, §3): no page of the site answers 500, whatever is sent.

Every URL pattern of the project, read from the URLconf (public pages, the agents' /agents/,
the editors' /admin/ with its changelists, add and change forms and custom views), is filled
with real objects of the reference content, then with hostile values, and fetched as an
anonymous visitor, an agent and an editor. Every form found on the pages (read with the
standard library's html.parser) is then sent back as a browser would, and with hostile
values: NUL, 100,000 characters, huge and negative numbers, line breaks, look-alike letters,
emoji, deeply nested JSON, invalid UTF-8, other charsets, malformed multipart, hostile field
names. Hypothesis draws the values, derandomized: CI sends the same requests every time.

Each request runs in a savepoint rolled back at once: a deletion or a publication cannot hide
the next page, and no rate limit or lockout (counted in the database) stops the fuzzer. Every
answer of 500 or more, and every request whose data the database refused (kb.middleware's
400 after a DataError: a check is missing before the query), is collected, and all of them
are reported together at the end; the numbers of requests and statuses are printed for each
database. The pages that no editor nor agent may open (users, groups, lockouts, teams) are
also visited as a superuser, and the public pages behind a team's front door (/hdf/…)."""

import io
import itertools
import logging
import re
import time
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import quote, quote_from_bytes, urlencode, urljoin, urlsplit

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RegexPattern
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from PIL import Image

from kb.models import Feedback, SupportLine, Tutorial
from kb.page_cache import pages
from kb.services import publish_content
from kb.snapshot import published
from teams.front_door import STAFF_SEGMENTS
from teams.models import Team
from triage.inbound import store_attachment
from triage.models import TicketEvent
from triage.tests.factories import make_ticket
from triage.views import CONFIRMATION_SALT

# --- Hostile values, drawn by Hypothesis -----------------------------------------------------

LOOK_ALIKES = ["аdmin", "раrcours", "ｅｘａｍｐｌｅ", "/\u2215etc\u2215passwd", "ﬁchier", "Ⅸ",
               "١٢٣", "𝟏𝟐𝟑", "ℌ", "ǅ", "İ", "K", "‐1", "０６ １２ ３４ ５６ ７８"]
ODD_TEXT = ["{{ 7*7 }}", "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd",
            "%00", "%ff", "\\", "javascript:alert(1)", "%s%n{0}", "nan", "inf", "1e308",
            "0000-00-00", "2026-02-30", "99999-01-01", "true", "null", "[]", "{}"]
FAMILIES = {
    "nul": st.text(max_size=8).map(lambda s: f"{s}\x00{s}"),
    "overlong": st.sampled_from("a9é😀\n ").map(lambda c: c * 100_000),
    "huge number": st.integers(min_value=2**31 - 1, max_value=10**40).map(str),
    "negative number": st.integers(min_value=-(10**40), max_value=-1).map(str),
    "line breaks": st.text(max_size=12).map(lambda s: f"{s}\r\nBcc: x@example.org\n{s}"),
    "look-alike": st.tuples(st.sampled_from(LOOK_ALIKES), st.text(max_size=4)).map("".join),
    "emoji": st.text(st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF), min_size=1,
                     max_size=12),
    "nested JSON": st.integers(min_value=1_000, max_value=100_000).map(
        lambda n: "[" * n + "]" * n),
    "any unicode": st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=40),
    "odd text": st.sampled_from(ODD_TEXT),
}
# Sent as raw bytes: never valid UTF-8.
INVALID_UTF8 = st.binary(max_size=12).map(lambda b: b + b"\xff\xc3(\xed\xa0\x80")
CHARSETS = ["utf-16", "utf-32", "latin-1", "cp1252", "rot13", "base64", "zlib", "undefined",
            "idna", "x-inconnu", "utf-8\x00", "utf-16\r\nX: y"]
VALUES_PER_FAMILY = 12
DERANDOMIZED = settings(derandomize=True, database=None, deadline=None,
                        phases=[Phase.explicit, Phase.generate],
                        suppress_health_check=list(HealthCheck))


def draw(strategy, count: int) -> list:
    """`count` examples of `strategy`, the same on every run (Hypothesis, derandomized)."""
    found = []

    @settings(DERANDOMIZED, max_examples=count)
    @given(strategy)
    def collect(value):
        found.append(value)

    collect()
    return found[:count]


class Hostile:
    """Hostile values, one family after the other, so that every family reaches every kind
    of field."""

    def __init__(self):
        self.values = {name: draw(strategy, VALUES_PER_FAMILY)
                       for name, strategy in FAMILIES.items()}
        self.bytes = draw(INVALID_UTF8, VALUES_PER_FAMILY)
        self.families = itertools.cycle(FAMILIES)
        self.counters = Counter()

    def next(self, family: str | None = None) -> tuple[str, str]:
        family = family or next(self.families)
        values = self.values[family]
        value = values[self.counters[family] % len(values)]
        self.counters[family] += 1
        return family, value

    def next_bytes(self) -> bytes:
        self.counters["bytes"] += 1
        return self.bytes[self.counters["bytes"] % len(self.bytes)]


# --- The site's URLs, from the URLconf ---------------------------------------------------------

def named_groups_as_fields(regex: str) -> str:
    """A regex route (the admin's app index, its catch-all) as « {name} » fields."""
    regex = regex.removeprefix("^").removesuffix("$")
    out, i = "", 0
    while i < len(regex):
        match = re.match(r"\(\?P<(\w+)>", regex[i:])
        if not match:
            out += regex[i]
            i += 1
            continue
        depth, j = 1, i + match.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(regex[j], 0) if regex[j - 1] != "\\" else 0
            j += 1
        out += "{" + match[1] + "}"
        i = j
    return out


def routes(patterns=None, prefix: str = "") -> list[tuple[str, str]]:
    """(template, name) of every URL pattern: « agents/tickets/{pk}/ »."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        piece = (named_groups_as_fields(str(pattern.pattern))
                 if isinstance(pattern.pattern, RegexPattern)
                 else re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern)))
        if isinstance(pattern, URLResolver):
            found += routes(pattern.url_patterns, prefix + piece)
        else:
            found.append(("/" + prefix + piece, pattern.name or ""))
    return found


def fields_of(template: str) -> list[str]:
    return re.findall(r"{(\w+)}", template)


def real_values(template: str, name: str, objects: dict) -> dict[str, str]:
    """Each path field of a route, filled with an object that exists."""
    values = {}
    for field in fields_of(template):
        if field == "object_id" and template.startswith("/admin/r/"):
            values[field] = objects["tutorial_pk"]
        elif field == "object_id":
            app_label, model_name = template.split("/")[2:4]
            obj = apps.get_model(app_label, model_name).objects.order_by("pk").first()
            values[field] = str(obj.pk) if obj else "1"
        elif field == "token":
            values[field] = objects["confirmation" if name == "confirmation" else "follow"]
        else:
            values[field] = objects[field]
    return values


def fill(template: str, values: dict[str, str]) -> str:
    return template.format(**values)


# --- Forms, from the pages ---------------------------------------------------------------------

class Forms(HTMLParser):
    """The forms of a page, as a browser sees them; and the links with a query string."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.links = [], []
        self.form = self.textarea = self.select = self.option = None

    def handle_starttag(self, tag, attrs):
        a = {key: value or "" for key, value in attrs}
        if tag == "a" and "?" in a.get("href", ""):
            self.links.append(a["href"])
        if tag == "form":
            self.form = {"action": a.get("action", ""), "method": a.get("method", "get").lower(),
                         "multipart": "multipart" in a.get("enctype", ""), "fields": [],
                         "buttons": []}
            self.forms.append(self.form)
        if self.form is None or "name" not in a and tag != "option":
            return
        kind = a.get("type", "submit" if tag == "button" else "text").lower()
        if tag in ("input", "button") and kind in ("submit", "image"):
            self.form["buttons"].append((a["name"], a.get("value", "")))
        elif tag == "input" and kind in ("checkbox", "radio"):
            self.form["fields"].append({"name": a["name"], "kind": kind,
                                        "value": a.get("value", "on"),
                                        "checked": "checked" in a})
        elif tag == "input" and kind not in ("button", "reset"):
            self.form["fields"].append({"name": a["name"], "kind": kind,
                                        "value": a.get("value", "")})
        elif tag == "textarea":
            self.textarea = {"name": a["name"], "kind": "textarea", "value": ""}
            self.form["fields"].append(self.textarea)
        elif tag == "select":
            self.select = {"name": a["name"], "kind": "select", "multiple": "multiple" in a,
                           "options": []}
            self.form["fields"].append(self.select)
        elif tag == "option" and self.select is not None:
            self.option = [a.get("value"), "selected" in a, ""]
            self.select["options"].append(self.option)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea["value"] += data
        if self.option is not None:
            self.option[2] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "option":
            self.option = None


def as_browser(form: dict) -> list[tuple[str, str]]:
    """What a browser sends for an untouched form: its values, checked boxes, the selected
    (or first) option, the first submit button."""
    data = []
    radios = set()
    for field in form["fields"]:
        if field["kind"] == "checkbox" and field["checked"]:
            data.append((field["name"], field["value"]))
        elif field["kind"] == "radio" and field["name"] not in radios:
            radios.add(field["name"])
            data.append((field["name"], field["value"]))
        elif field["kind"] == "select":
            options = [(value if value is not None else text.strip(), selected)
                       for value, selected, text in field["options"]]
            chosen = [value for value, selected in options if selected]
            if not chosen and options and not field["multiple"]:
                chosen = [options[0][0]]
            data += [(field["name"], value) for value in chosen]
        elif field["kind"] not in ("checkbox", "radio", "file"):
            data.append((field["name"], field["value"]))
    return data + form["buttons"][:1]


# --- Sending -------------------------------------------------------------------------------------

MAX_FIELDS_PER_FORM = 10
MAX_LINKS_PER_PAGE = 3
FILE_CONTENTS = [b"[" * 100_000 + b"]" * 100_000, b"PK\x03\x04" + b"\x00" * 64,
                 b"\x89PNG\r\n\x1a\n" + b"\xff" * 64, b"", b'{"format": "assistance-ecps/contenu"}']


class DatabaseComplaints(logging.Handler):
    """What kb.middleware logs when the database refused a request's data (a 400, but a
    check missing before the query) or did not answer (a 503): findings too."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


class Fuzzer:
    def __init__(self, hostile: Hostile):
        self.hostile = hostile
        self.statuses: Counter = Counter()
        self.failures: list[str] = []
        self.seen_forms: set = set()
        self.seen_links: set = set()
        self.database = DatabaseComplaints()
        logging.getLogger("kb.middleware").addHandler(self.database)

    def close(self):
        logging.getLogger("kb.middleware").removeHandler(self.database)

    def send(self, client: Client, who: str, method: str, url: str, what: str, **kwargs):
        """One request, in a savepoint rolled back at once; a status of 500 or more, or an
        exception raised before Django could answer, is a failure."""
        label = f"{who} {'POST' if method == 'raw' else method.upper()} {url[:120]!r} ({what})"
        session = client.cookies.get(django_settings.SESSION_COOKIE_NAME)
        try:
            with transaction.atomic():
                try:
                    response = (client.generic("POST", url, **kwargs) if method == "raw"
                                else getattr(client, method)(url, **kwargs))
                finally:
                    transaction.set_rollback(True)
        except Exception as error:  # raised while the request was being built
            self.statuses["exception"] += 1
            self.failures.append(f"{label}: {type(error).__name__}: {str(error)[:200]}")
            return None
        finally:
            published.forget()
            pages.clear()
            if session is not None:  # signed out (/admin/logout/…): the rollback kept the
                client.cookies[session.key] = session.value  # session, signed in again
        self.statuses[response.status_code] += 1
        complaints = "".join(f", {message}" for message in self.database.messages)
        self.database.messages.clear()
        if response.status_code >= 500 or complaints:
            self.failures.append(f"{label}: {response.status_code}{complaints}")
        return response

    def visit(self, client: Client, who: str, url: str, what: str) -> bool:
        """GET a page, then send every form and link found on it. True if it opened."""
        response = self.send(client, who, "get", url, what)
        if (response is None or response.status_code != 200 or response.streaming
                or "html" not in response.get("Content-Type", "")):
            return response is not None and response.status_code == 200
        page = Forms()
        page.feed(response.content.decode(errors="replace"))
        for form in page.forms:
            self.fuzz_form(client, who, url, form)
        for link in page.links:
            self.fuzz_link(client, who, url, link)
        return True

    def fuzz_link(self, client, who, page_url, link):
        """A link with a query string (filters, sorting, pages, comparisons): each of its
        parameters with a hostile value."""
        target = urlsplit(urljoin(page_url, link))
        names = tuple(sorted(re.findall(r"(?:^|&)([^=&]+)", target.query)))
        key = (target.path, names)
        if target.scheme not in ("", "http") or target.netloc not in ("", "testserver") or (
                key in self.seen_links) or len(
                [k for k in self.seen_links if k[0] == target.path]) >= MAX_LINKS_PER_PAGE:
            return
        self.seen_links.add(key)
        family, value = self.hostile.next()
        query = urlencode([(name, value) for name in names])
        self.send(client, who, "get", f"{target.path}?{query}", f"link, {family}")

    def fuzz_form(self, client, who, page_url, form):
        action = urljoin(page_url, form["action"] or page_url)
        target = urlsplit(action)
        names = tuple(sorted({field["name"] for field in form["fields"]}))
        key = (form["method"], target.path, names)
        if target.netloc or key in self.seen_forms or target.path == "/admin/logout/":
            return
        self.seen_forms.add(key)
        baseline = as_browser(form)
        post = form["method"] == "post"
        self.submit(client, who, action, form, baseline, "as a browser sends it")
        # One field at a time, the others as a browser sends them.
        for name in names[:MAX_FIELDS_PER_FORM]:
            family, value = self.hostile.next()
            data = [(n, v) for n, v in baseline if n != name] + [(name, value)]
            self.submit(client, who, action, form, data, f"{name}: {family}")
        # Every field at once, one family per request.
        for _ in range(3):
            family, value = self.hostile.next()
            data = [(n, value) for n in names] + form["buttons"][:1]
            self.submit(client, who, action, form, data, f"every field: {family}")
        if post:
            self.broken_bodies(client, who, action, baseline)

    def submit(self, client, who, action, form, data, what):
        if form["method"] != "post":
            url = f"{action.split('?')[0]}?{urlencode(data)}"
            return self.send(client, who, "get", url, what)
        if form["multipart"]:
            payload: dict[str, list] = {}
            for name, value in data:
                payload.setdefault(name, []).append(value)
            for field in form["fields"]:
                if field["kind"] == "file":
                    content = FILE_CONTENTS[self.hostile.counters["file"] % len(FILE_CONTENTS)]
                    self.hostile.counters["file"] += 1
                    payload[field["name"]] = SimpleUploadedFile("contenu.json", content)
            return self.send(client, who, "post", action, what, data=payload)
        return self.send(client, who, "post", action, what, data=urlencode(data),
                         content_type="application/x-www-form-urlencoded")

    def broken_bodies(self, client, who, action, baseline):
        """What no browser sends: invalid UTF-8, other charsets, malformed multipart,
        hostile field names, too many fields."""
        raw = self.hostile.next_bytes()
        body = "&".join(f"{quote(n)}={quote_from_bytes(raw)}" for n, _ in baseline).encode()
        self.send(client, who, "raw", action, "invalid UTF-8, urlencoded",
                  data=body, content_type="application/x-www-form-urlencoded")
        charset = CHARSETS[self.hostile.counters["charset"] % len(CHARSETS)]
        self.hostile.counters["charset"] += 1
        try:
            encoded = urlencode(baseline).encode(charset)
        except (LookupError, UnicodeError, ValueError):
            encoded = urlencode(baseline).encode()
        self.send(client, who, "raw", action, f"charset {charset!r}",
                  data=encoded,
                  content_type=f"application/x-www-form-urlencoded; charset={charset}")
        parts = b"".join(
            b'--xx\r\nContent-Disposition: form-data; name="' + n.encode() + b'"\r\n\r\n'
            + raw + b"\r\n" for n, _ in baseline)
        for what, body, content_type in [
            ("invalid UTF-8, multipart", parts + b"--xx--\r\n", "multipart/form-data; boundary=xx"),
            ("multipart cut short", parts[: len(parts) // 2], "multipart/form-data; boundary=xx"),
            ("multipart without boundary", parts, "multipart/form-data"),
            ("multipart, another boundary", parts, "multipart/form-data; boundary=yy"),
            ("multipart, broken header", b"--xx\r\nContent-Disposition: form-data; name\r\n\r\n"
             b"x\r\n--xx--\r\n", "multipart/form-data; boundary=xx"),
        ]:
            self.send(client, who, "raw", action, what, data=body,
                      content_type=content_type)
        family, value = self.hostile.next()
        names = [("\x00" + n, v) for n, v in baseline] + [(value, "x"), ("😀" * 50, "x")]
        self.send(client, who, "post", action, f"hostile field names: {family}",
                  data=urlencode(names), content_type="application/x-www-form-urlencoded")
        self.send(client, who, "post", action, "1,500 fields",
                  data="&".join(f"f{i}=1" for i in range(1500)),
                  content_type="application/x-www-form-urlencoded")


# --- The test ------------------------------------------------------------------------------------

@pytest.fixture
def objects(seed_tree, agent) -> dict[str, str]:
    """Real objects for every kind of path field: a second published version (something to
    compare), tickets (one a possible duplicate of the other), a feedback; and the regional
    teams, whose front doors (/hdf/…) show the public pages."""
    call_command("load_teams", verbosity=0)
    SupportLine.objects.filter(pk=SupportLine.objects.order_by("pk").first().pk).update(
        phone="01 02 03 04 05")
    publish_content(note="Deuxième version, pour comparer")
    ticket = make_ticket()
    make_ticket(description="Le même problème, de nouveau.")
    Feedback.objects.create(page="/tutoriels/", visitor="0" * 64, helpful=False,
                            comment="Pas clair.")
    image = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(image, "PNG")
    answer = TicketEvent.objects.create(ticket=ticket, kind=TicketEvent.Kind.ANSWER,
                                        text="Voici ma capture.")
    attachment = store_attachment(answer, "capture.png", "image/png", image.getvalue())
    snapshot = published.get()
    trail = max(snapshot.shortest_paths.values(), key=len)
    tutorial = Tutorial.objects.filter(is_published=True).order_by("pk").first()
    return {
        "trail": "/".join(trail), "slug": tutorial.slug, "tutorial_pk": str(tutorial.pk),
        "name": "tutoriels/absente.webp", "pk": str(ticket.pk), "number": "1",
        "follow": ticket.follow_token,
        "confirmation": signing.dumps(ticket.pk, salt=CONFIRMATION_SALT),
        "content_type_id": str(ContentType.objects.get_for_model(Tutorial).pk),
        "id": str(agent.pk),
        "app_label": "kb", "url": "kb/inexistant/", "attachment_pk": str(attachment.pk),
        "door": Team.objects.filter(is_national=False).order_by("slug").first().slug,
    }


def signed_in(user=None) -> Client:
    """A client that answers 500 instead of raising, as a browser sees it."""
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def test_no_url_nor_form_of_the_site_answers_500(objects, agent, editor, django_user_model,
                                                 capsys):
    started = time.perf_counter()
    hostile = Hostile()
    fuzzer = Fuzzer(hostile)
    clients = {"anonyme": signed_in(), "agent": signed_in(agent), "éditeur": signed_in(editor)}
    try:
        fuzz_every_url(fuzzer, hostile, clients, objects, django_user_model)
    finally:
        fuzzer.close()
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(f"\nfuzz ({connection.vendor}): {sum(fuzzer.statuses.values())} requests in "
              f"{elapsed:.0f} s, {len(fuzzer.seen_forms)} forms; statuses: "
              + ", ".join(f"{status}: {count}" for status, count in
                          sorted(fuzzer.statuses.items(), key=lambda item: str(item[0]))))
    assert not fuzzer.failures, f"{len(fuzzer.failures)} failures:\n" + "\n".join(
        fuzzer.failures)


def fuzz_every_url(fuzzer, hostile, clients, objects, django_user_model):
    opened = set()
    for template, name in routes():
        real = real_values(template, name, objects)
        urls = [(fill(template, real), "real objects")]
        for field in fields_of(template):  # one path field hostile, the others real
            family, value = hostile.next()
            urls.append((fill(template, {**real, field: quote(value, safe="")}),
                         f"path {field}: {family}"))
        for who, client in clients.items():
            for url, what in urls:
                if fuzzer.visit(client, who, url, what):
                    opened.add(url)
            family, value = hostile.next()
            fuzzer.send(client, who, "post", urls[0][0], f"blind POST: {family}",
                        data={"champ": value, "csrfmiddlewaretoken": "x"})
    # A front door (/hdf/…) takes its prefix off the path before the URLconf sees it: the
    # public pages behind it, as a visitor.
    for template, name in routes():
        if template.split("/")[1] not in STAFF_SEGMENTS:
            real = real_values(template, name, objects)
            fuzzer.visit(clients["anonyme"], "anonyme", f"/{objects['door']}"
                         + fill(template, real), "front door")
    # The administration pages no editor may open (users, groups, lockouts): as a superuser.
    admin = signed_in(django_user_model.objects.create_superuser("root", "r@example.fr", "x"))
    for template, name in routes():
        url = fill(template, real_values(template, name, objects))
        if url.startswith("/admin/") and url not in opened:
            fuzzer.visit(admin, "superutilisateur", url, "real objects")


def test_the_fuzzer_reads_every_kind_of_route_and_field():
    """The fuzzer's own reading of the URLconf and of HTML, on known examples."""
    assert named_groups_as_fields(r"^(?P<app_label>auth|kb)/$") == "{app_label}/"
    assert named_groups_as_fields(r"(?P<url>.*)$") == "{url}"
    templates = dict(routes())
    assert templates["/agents/tickets/{pk}/"] == "ticket"
    assert templates["/admin/{app_label}/"] == "app_list"
    page = Forms()
    page.feed('<form method="post" enctype="multipart/form-data"><input name="a" value="1">'
              '<input type="checkbox" name="b" value="2" checked><select name="c">'
              '<option value="x">X</option><option value="y" selected>Y</option></select>'
              '<textarea name="d">texte</textarea><input type="file" name="e">'
              '<button type="submit" name="_save" value="1">OK</button></form>'
              '<a href="?p=2&o=1">suite</a>')
    assert as_browser(page.forms[0]) == [("a", "1"), ("b", "2"), ("c", "y"), ("d", "texte"),
                                         ("_save", "1")]
    assert page.forms[0]["multipart"] and page.links == ["?p=2&o=1"]
