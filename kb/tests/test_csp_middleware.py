"""Issue 23: the Content-Security-Policy header is built once from the settings, and is
exactly what django-csp builds; a response with its own policy still gets its own."""

from dataclasses import asdict

from csp.middleware import CSPMiddleware
from csp.utils import build_policy
from django.http import HttpRequest, HttpResponse


def djangos_csp_header() -> str:
    parts = CSPMiddleware(lambda request: None).get_policy_parts(HttpRequest(), HttpResponse())
    return build_policy(**asdict(parts))


def test_every_page_gets_django_csps_own_policy_built_once(client, seed_tree, monkeypatch):
    from kb import middleware

    built = []
    monkeypatch.setattr(middleware, "build_policy",
                        lambda **parts: built.append(1) or build_policy(**parts))
    middleware.ContentSecurityPolicyMiddleware.built = None
    for path in ["/", "/parcours/methode-b/", "/static/css/site.css", "/agents/"]:
        assert client.get(path)["Content-Security-Policy"] == djangos_csp_header()
    assert len(built) == 1


def test_a_changed_policy_is_built_again(client, seed_tree, settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'self'"],
                                                       "frame-ancestors": ["'none'"]}}
    header = client.get("/")["Content-Security-Policy"]
    assert sorted(header.split("; ")) == ["default-src 'self'", "frame-ancestors 'none'"]


def test_a_response_with_its_own_policy_gets_it(rf, settings):
    from kb.middleware import ContentSecurityPolicyMiddleware

    response = HttpResponse()
    response._csp_replace = {"frame-ancestors": ["https://www.sante-ra.fr"]}
    middleware = ContentSecurityPolicyMiddleware(lambda request: response)
    header = middleware(rf.get("/"))["Content-Security-Policy"]
    assert "frame-ancestors https://www.sante-ra.fr" in header
    assert "default-src 'self'" in header
