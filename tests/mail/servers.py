"""Real mail servers on loopback for the e-mail loop: Debian's Dovecot (IMAPS, a mailbox for
the team and one for the professional) and aiosmtpd (SMTP), which delivers each message
into the recipient's Dovecot mailbox. Both are started for the session; `.ci/run` installs
Dovecot, and under CI=true a missing one is a failure, not a skip."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
PASSWORD = "secret-de-test"
TEAM, PRO = "equipe@example.test", "pro@example.test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


@pytest.fixture(scope="session")
def dovecot():
    if not os.path.exists(DOVECOT):
        if os.environ.get("CI"):
            pytest.fail("Dovecot is missing: .ci/run installs dovecot-imapd")
        pytest.skip("Dovecot is not installed (apt-get install -y dovecot-imapd)")
    # Not under pytest's temporary folder, which only root may enter: Dovecot's own users
    # (dovecot, nobody) read the password file and write the mailboxes.
    root = Path(tempfile.mkdtemp(prefix="dovecot-"))
    root.chmod(0o755)
    (root / "run").mkdir()
    mail = root / "mail"
    mail.mkdir()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext",
                    "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", root / "key.pem",
                    "-out", root / "cert.pem"], check=True, capture_output=True)
    as_root = os.geteuid() == 0
    uid, gid = ("", "") if as_root else (os.getuid(), os.getgid())  # as root: mail_uid
    (root / "passwd").write_text("".join(  # user:password:uid:gid:gecos:home
        f"{user}:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{mail / user.split('@')[0]}\n"
        for user in (TEAM, PRO)))
    port = free_port()
    if as_root:  # Dovecot never delivers as uid 0
        identity = "mail_uid = nobody\nmail_gid = nogroup\n"
        shutil.chown(mail, "nobody", "nogroup")
    else:
        import grp
        import pwd

        me, group = pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name
        identity = (f"default_internal_user = {me}\ndefault_internal_group = {group}\n"
                    f"default_login_user = {me}\nfirst_valid_uid = {min(os.getuid(), 500)}\n"
                    "service anvil {\n  chroot =\n}\n")
    config = root / "dovecot.conf"
    config.write_text(f"""
base_dir = {root / 'run'}
state_dir = {root / 'run' / 'state'}
log_path = {root / 'dovecot.log'}
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{root / 'cert.pem'}
ssl_key = <{root / 'key.pem'}
auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root / 'passwd'}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root / 'passwd'}
}}
mail_location = maildir:~/Maildir
{identity}
service imap-login {{
  {'' if as_root else 'chroot ='}
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {port}
    ssl = yes
  }}
}}
""")
    subprocess.run([DOVECOT, "-c", config], check=True)
    try:
        wait_for(port)
        yield {"host": "127.0.0.1", "port": port, "cafile": str(root / "cert.pem"),
               "password": PASSWORD, "log": root / "dovecot.log"}
    finally:
        subprocess.run(["doveadm", "-c", config, "stop"], check=False, capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def imap_config(dovecot, user: str, **overrides) -> dict:
    """settings.TRIAGE_IMAP for one of the test mailboxes."""
    return {"host": dovecot["host"], "port": dovecot["port"], "user": user,
            "password": dovecot["password"], "tls": "ssl", "cafile": dovecot["cafile"],
            "folder": "INBOX", "done": "Traités", "unmatched": "Non rattachés", **overrides}


@pytest.fixture(scope="session")
def smtp_server(dovecot):
    """aiosmtpd on loopback: each message is put into its recipient's Dovecot mailbox, as
    a mail server would deliver it."""
    from aiosmtpd.controller import Controller

    from triage.management.commands.poll_mailbox import connect

    elsewhere = []  # mail for other addresses (an agent's notice): kept here

    class DeliverToDovecot:
        async def handle_DATA(self, server, session, envelope):
            for recipient in envelope.rcpt_tos:
                if recipient not in (TEAM, PRO):
                    elsewhere.append((recipient, envelope.original_content))
                    continue
                with connect(imap_config(dovecot, recipient)) as client:
                    client.append("INBOX", envelope.original_content)
            return "250 Message accepted for delivery"

    controller = Controller(DeliverToDovecot(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield {"host": "127.0.0.1", "port": controller.port, "elsewhere": elsewhere}
    finally:
        controller.stop()


@pytest.fixture
def mail_through_smtp(settings, smtp_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server["host"], smtp_server["port"]
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return smtp_server


