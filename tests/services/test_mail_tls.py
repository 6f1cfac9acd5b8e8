"""The mail sender's TLS, against real aiosmtpd servers with a certificate made for the test
(Debian's openssl): STARTTLS with a login the server accepts only once encrypted, implicit
TLS (`smtps://`), and a certificate the machine does not trust refused — no mail and no
password leave in clear or to an impostor."""
from __future__ import annotations

import shutil
import ssl
import subprocess
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from concert.services.mail import Smtp
from tests.conftest import free_port

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem"),
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return folder / "cert.pem", folder / "key.pem"


class Inbox:
    def __init__(self) -> None:
        self.received: list[tuple[bool, str, object]] = []

    async def handle_DATA(self, server, session, envelope):
        encrypted = server.transport.get_extra_info("ssl_object") is not None
        self.received.append((encrypted, session.authenticated,
                              message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"concert", b"s3cret")
    return AuthResult(success=ok)


def server_context(certificate) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*map(str, certificate))
    return context


@pytest.fixture
def trusted(certificate, monkeypatch):
    """The machine trusts the test certificate (as it would its own CA's)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))


MESSAGE = "From: concert@example.org\r\nTo: a@example.org\r\nSubject: Essai\r\n\r\nBonjour\r\n"


def send(url: str) -> None:
    client = Smtp(url)
    try:
        client.send("concert@example.org", "a@example.org", MESSAGE)
    finally:
        client.close()


def test_starttls_before_the_login_and_the_mail(certificate, trusted):
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port,
                            tls_context=server_context(certificate), require_starttls=True,
                            authenticator=authenticate, auth_require_tls=True)
    controller.start()
    try:
        send(f"smtp://concert:s3cret@127.0.0.1:{port}")
    finally:
        controller.stop()
    [(encrypted, authenticated, message)] = inbox.received
    assert encrypted and authenticated and message["Subject"] == "Essai"


def test_implicit_tls(certificate, trusted):
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port,
                            ssl_context=server_context(certificate))
    controller.start()
    try:
        send(f"smtps://127.0.0.1:{port}")
    finally:
        controller.stop()
    [(encrypted, _authenticated, _message)] = inbox.received
    assert encrypted


def test_an_untrusted_certificate_is_refused_before_any_password(certificate):
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port,
                            tls_context=server_context(certificate), require_starttls=True,
                            authenticator=authenticate, auth_require_tls=True)
    controller.start()
    try:
        with pytest.raises(ssl.SSLCertVerificationError):
            send(f"smtp://concert:s3cret@127.0.0.1:{port}")
    finally:
        controller.stop()
    assert inbox.received == []
