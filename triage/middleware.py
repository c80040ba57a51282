"""Who is asking, for the help form's rate limit and the staff login lockout."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The visitor's address, for the help form's rate limit and the staff login lockout
    alike. Behind a reverse proxy, REMOTE_ADDR is the proxy's: TRIAGE_CLIENT_IP_HEADER (e.g.
    HTTP_X_REAL_IP, set by the proxy) names the header that carries the real one. A value
    that is not an address (a forged or broken header) falls back to REMOTE_ADDR."""
    for value in (request.META.get(settings.TRIAGE_CLIENT_IP_HEADER, ""),
                  request.META.get("REMOTE_ADDR", "")):
        try:
            return str(ipaddress.ip_address(value.strip()))
        except ValueError:
            continue
    return "0.0.0.0"  # the test client without REMOTE_ADDR, or a broken server set-up
