"""The browser-facing security of the pages, against a real `concert run` process, on both
databases: CSP, cookies, sessions, CSRF, login throttling, access and redirects, invitations
and the members page."""
from __future__ import annotations

import io
import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import requests
import sqlalchemy as sa

from concert.db import db
from concert.models import Invitation, LoginSession, Membership, Territory, User, utcnow
from concert.services import members, territories
from concert.schemas.territories import InvitationInput
from tests.conftest import PASSWORD, Server, _csrf_from, browser_login, need, new_secret

COOKIE = "concert_session"
CSRF_EXPIRED = "Le formulaire a expiré"


# --- helpers -----------------------------------------------------------------------------

def browser() -> requests.Session:
    return requests.Session()


def signed_in(server, person) -> requests.Session:
    session = browser()
    response = browser_login(session, server.url, person.email)
    assert response.status_code == 302, response.text
    return session


def csrf(session: requests.Session, url: str, csrf_from) -> str:
    return csrf_from(session.get(url).text)


def set_cookies(response) -> list[str]:
    return response.raw.headers.getlist("Set-Cookie")


def session_cookie_header(response) -> str:
    headers = [h for h in set_cookies(response) if h.startswith(COOKIE + "=")]
    assert headers, f"no {COOKIE} cookie set"
    return headers[-1]


def cookie_attributes(header: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in header.split(";")[1:]}


def fresh() -> None:
    """Ends the test's own transaction, so it sees what the server process committed."""
    db.session.rollback()


def membership_of(person, slug: str = "metropole") -> Membership | None:
    fresh()
    return db.session.scalar(
        sa.select(Membership).join(Territory).where(
            Membership.user_id == person.id, Territory.slug == slug
        )
    )


def invite(email: str, role: str = "actor", slug: str = "metropole") -> tuple[Invitation, str]:
    invitation, url = members.invite(
        territories.system_access(slug), InvitationInput(email=email, role=role, organisation="Ville de Marseille", organisation_kind="commune")
    )
    return invitation, url.rsplit("/", 1)[1]


def count(model, *where) -> int:
    fresh()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def user_exists(email: str) -> bool:
    return count(User, User.email == email) == 1


def notices(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", text).strip()
            for text in re.findall(r'class="notice notice--error"[^>]*>(.*?)</p>', html, re.S)]


def lands_on_site(server, location: str) -> bool:
    """Where a browser would go: browsers read a backslash as a slash."""
    target = urlsplit(urljoin(server.url + "/login", location.replace("\\", "/")))
    return target.scheme == "http" and target.netloc == urlsplit(server.url).netloc


def _executable(script_type: str | None) -> bool:
    """A data block (`<script type="application/json">`) is never run, so the CSP allows it."""
    script_type = (script_type or "").strip().lower()
    return script_type in ("", "module") or "javascript" in script_type \
        or "ecmascript" in script_type


class InlineCode(HTMLParser):
    """Finds what a strict CSP blocks: inline scripts, event handlers, style attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = {name.lower() for name, _value in attrs}
        if tag == "script" and "src" not in names and _executable(dict(attrs).get("type")):
            self.problems.append("<script> without src")
        if tag == "style":
            self.problems.append("<style> element")
        for name in names:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=>")
            if name == "style":
                self.problems.append(f"<{tag} style=>")
        for name, value in attrs:
            if value and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:>")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.problems


# --- Content-Security-Policy and inline code ---------------------------------------------

def test_every_page_has_a_strict_csp_and_no_inline_code(server, world):
    _invitation, token = invite("csp@example.org")
    anonymous = browser()
    pages = [(anonymous, "/login", 200), (anonymous, f"/invite/{token}", 200),
             (anonymous, "/invite/not-a-token", 404), (anonymous, "/nowhere", 404)]
    facilitator = signed_in(server, world.facilitator)
    pages += [(facilitator, path, 200)
              for path in ("/", "/t/metropole/", "/t/metropole/members", "/logout")]
    admin = signed_in(server, world.admin)
    pages += [(admin, "/", 200), (admin, "/t/metropole/members", 200)]
    actor = signed_in(server, world.actor)
    pages += [(actor, "/t/metropole/members", 403)]

    for session, path, status in pages:
        response = session.get(server.url + path)
        assert response.status_code == status, path
        csp = response.headers.get("Content-Security-Policy", "")
        assert "default-src 'self'" in csp, path
        assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, path
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert inline_code(response.text) == [], path


def test_every_territory_page_has_a_strict_csp_and_no_inline_code(app, server, world):
    """Every page of a territory, found in the app's routes, as each role sees it."""
    paths = sorted(
        rule.rule.replace("<slug>", "metropole") for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("web.") and "GET" in rule.methods
        and rule.arguments == {"slug"}
    )
    assert "/t/metropole/members" in paths
    for person in (world.facilitator, world.actor, world.observer):
        session = signed_in(server, person)
        for path in paths:
            response = session.get(server.url + path)
            assert response.status_code < 500, (person.email, path)
            assert "default-src 'self'" in response.headers["Content-Security-Policy"], path
            if response.headers.get("Content-Type", "").startswith("text/html"):
                assert inline_code(response.text) == [], (person.email, path)


def test_error_answers_of_the_api_also_carry_the_csp(server):
    response = requests.get(server.url + "/api/v1/territories")
    assert response.status_code == 401
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


# --- cookies and sessions ----------------------------------------------------------------

def test_session_cookie_is_httponly_lax_and_not_secure_by_default(server, world):
    session = browser()
    header = session_cookie_header(session.get(server.url + "/login"))
    attributes = cookie_attributes(header)
    assert "httponly" in attributes
    assert re.search(r"(?i);\s*samesite=lax\b", header)
    assert "secure" not in attributes

    header = session_cookie_header(browser_login(session, server.url, world.actor.email))
    assert "httponly" in cookie_attributes(header) and "secure" not in cookie_attributes(header)


@pytest.fixture(scope="module")
def secure_server(app, database_url, instance_path):
    server = Server(database_url, instance_path, CONCERT_SECURE_COOKIES="1")
    yield server
    server.stop()


def test_secure_cookies_when_asked(secure_server):
    header = session_cookie_header(requests.get(secure_server.url + "/login"))
    attributes = cookie_attributes(header)
    assert {"secure", "httponly"} <= attributes
    assert re.search(r"(?i);\s*samesite=lax\b", header)


def test_login_renews_the_session_and_a_planted_cookie_stays_anonymous(app, server, world):
    serializer = app.session_interface.get_signing_serializer(app)
    victim = browser()
    victim.get(server.url + "/login")
    planted = victim.cookies[COOKIE]
    assert "sid" not in serializer.loads(planted)

    assert browser_login(victim, server.url, world.actor.email).status_code == 302
    renewed = victim.cookies[COOKIE]
    assert renewed != planted
    first_key = serializer.loads(renewed)["sid"]
    assert victim.get(server.url + "/t/metropole/").status_code == 200

    # The attacker who planted the pre-login cookie is still anonymous.
    attacker = browser()
    attacker.cookies.set(COOKIE, planted)
    answer = attacker.get(server.url + "/t/metropole/", allow_redirects=False)
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]

    # Signing in again, even from a signed-in browser, hands out a new key and ends the
    # previous server-side session.
    assert browser_login(victim, server.url, world.actor.email).status_code == 302
    assert serializer.loads(victim.cookies[COOKIE])["sid"] != first_key
    assert count(LoginSession, LoginSession.user_id == world.actor.id) == 1
    earlier = browser()
    earlier.cookies.set(COOKIE, renewed)
    assert earlier.get(server.url + "/t/metropole/", allow_redirects=False).status_code == 302


def test_logout_deletes_the_server_side_session(server, world, csrf_from):
    session = signed_in(server, world.actor)
    stolen = session.cookies[COOKIE]
    assert count(LoginSession, LoginSession.user_id == world.actor.id) == 1
    token = csrf(session, server.url + "/", csrf_from)

    out = session.post(server.url + "/logout", data={"csrf_token": token},
                       allow_redirects=False)
    assert out.status_code == 302 and out.headers["Location"].endswith("/login")
    assert count(LoginSession, LoginSession.user_id == world.actor.id) == 0

    replay = browser()
    replay.cookies.set(COOKIE, stolen)
    answer = replay.get(server.url + "/t/metropole/", allow_redirects=False)
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert requests.get(server.url + "/api/v1/me", cookies={COOKIE: stolen}).status_code == 401


def test_logout_by_get_only_asks_for_confirmation(server, world):
    session = signed_in(server, world.actor)
    page = session.get(server.url + "/logout")
    assert page.status_code == 200 and 'action="/logout"' in page.text
    assert session.get(server.url + "/t/metropole/").status_code == 200
    assert count(LoginSession, LoginSession.user_id == world.actor.id) == 1


# --- CSRF --------------------------------------------------------------------------------

def refused_for_csrf(response) -> bool:
    return response.status_code == 400 and CSRF_EXPIRED in response.text


def test_login_without_csrf_is_refused(server, world):
    session = browser()
    session.get(server.url + "/login")
    response = session.post(server.url + "/login", data={
        "email": world.actor.email, "password": PASSWORD}, allow_redirects=False)
    assert refused_for_csrf(response)
    forged = session.post(server.url + "/login", data={
        "csrf_token": "forged", "email": world.actor.email, "password": PASSWORD},
        allow_redirects=False)
    assert refused_for_csrf(forged)
    assert session.get(server.url + "/t/metropole/", allow_redirects=False).status_code == 302
    assert count(LoginSession) == 0


def test_member_forms_without_csrf_change_nothing(server, world):
    session = signed_in(server, world.facilitator)
    session.get(server.url + "/t/metropole/members")
    invitation, _token = invite("pending@example.org")
    actor = membership_of(world.actor)
    base = server.url + "/t/metropole"
    invitations_before = count(Invitation)

    attempts = [
        (f"{base}/invitations", {"email": "new@example.org", "role": "actor",
                                 "organisation": "Ville", "organisation_kind": "commune"}),
        (f"{base}/members/{actor.id}/role", {"role": "observer"}),
        (f"{base}/members/{actor.id}/remove", {}),
        (f"{base}/invitations/{invitation.id}/revoke", {}),
    ]
    for url, data in attempts:
        assert refused_for_csrf(session.post(url, data=data, allow_redirects=False)), url

    assert count(Invitation) == invitations_before
    assert count(Invitation, Invitation.email == "new@example.org") == 0
    assert membership_of(world.actor).role == "actor"
    fresh()
    assert db.session.get(Invitation, invitation.id).is_pending


def test_language_switch_without_csrf_changes_nothing(server, world):
    session = signed_in(server, world.actor)
    response = session.post(server.url + "/lang", data={"lang": "en", "next": "/"},
                            allow_redirects=False)
    assert refused_for_csrf(response)
    fresh()
    assert db.session.get(User, world.actor.id).locale is None
    assert '<html lang="fr">' in session.get(server.url + "/").text


def test_language_switch_with_csrf_works_and_stays_on_site(server, world, csrf_from):
    session = signed_in(server, world.actor)
    token = csrf(session, server.url + "/t/metropole/", csrf_from)
    response = session.post(server.url + "/lang", data={
        "csrf_token": token, "lang": "en", "next": "//evil.example/"}, allow_redirects=False)
    assert response.status_code == 302 and lands_on_site(server, response.headers["Location"])
    fresh()
    assert db.session.get(User, world.actor.id).locale == "en"


def test_invitation_acceptance_without_csrf_creates_nothing(server, world):
    invitation, token = invite("csrf-invitee@example.org")
    session = browser()
    session.get(server.url + f"/invite/{token}")
    response = session.post(server.url + f"/invite/{token}", data={
        "name": "Ines Invitée", "password": "un mot de passe long",
        "confirm": "un mot de passe long"}, allow_redirects=False)
    assert refused_for_csrf(response)
    assert not user_exists("csrf-invitee@example.org")
    fresh()
    assert db.session.get(Invitation, invitation.id).is_pending


def test_api_with_the_session_cookie_needs_the_csrf_header(server, world, csrf_from):
    session = signed_in(server, world.facilitator)
    token = csrf(session, server.url + "/t/metropole/members", csrf_from)
    url = server.url + "/api/v1/territories/metropole/invitations"
    body = {"email": "api-cookie@example.org", "role": "actor", "organisation": "Ville",
            "organisation_kind": "commune"}

    refused = session.post(url, json=body)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "csrf_failed"
    assert session.post(url, json=body, headers={"X-CSRFToken": "forged"}).status_code == 400
    assert count(Invitation, Invitation.email == "api-cookie@example.org") == 0

    accepted = session.post(url, json=body, headers={"X-CSRFToken": token})
    assert accepted.status_code == 201, accepted.text
    assert count(Invitation, Invitation.email == "api-cookie@example.org") == 1
    # Reading needs no token.
    assert session.get(server.url + "/api/v1/territories/metropole").status_code == 200


def test_api_with_a_bearer_token_needs_no_csrf_header(server, world):
    response = requests.post(
        server.url + "/api/v1/territories/metropole/invitations",
        headers=world.facilitator.bearer(),
        json={"email": "api-bearer@example.org", "role": "actor", "organisation": "Ville",
              "organisation_kind": "commune"},
    )
    assert response.status_code == 201, response.text


# --- login answers and throttling --------------------------------------------------------

def test_unknown_email_and_wrong_password_get_the_same_page(server, world, csrf_from):
    answers = []
    for email in ("nobody@example.org", world.actor.email):
        session = browser()
        token = csrf(session, server.url + "/login", csrf_from)
        response = session.post(server.url + "/login", data={
            "csrf_token": token, "email": email, "password": "pas le bon mot de passe"},
            allow_redirects=False)
        page = re.sub(r'value="[^"]*"', "", response.text)
        answers.append((response.status_code, notices(response.text), page))
    assert answers[0] == answers[1]
    status, messages, _page = answers[0]
    assert status == 401 and messages == ["E-mail ou mot de passe incorrect."]


@pytest.fixture(scope="module")
def limited_server(app, database_url, instance_path):
    server = Server(database_url, instance_path, CONCERT_LOGIN_RATE_LIMIT="3 per minute")
    yield server
    server.stop()


def login_attempt(server, email: str, password: str = "pas le bon mot de passe"):
    session = browser()
    page = session.get(server.url + "/login")
    return session.post(server.url + "/login", data={
        "csrf_token": _csrf_from(page.text), "email": email, "password": password},
        allow_redirects=False)


def test_login_page_is_throttled_per_email(limited_server, world):
    email = world.actor.email
    assert [login_attempt(limited_server, email).status_code for _ in range(3)] == [401] * 3
    blocked = login_attempt(limited_server, email)
    assert blocked.status_code == 429
    assert blocked.headers["Content-Type"].startswith("text/html")
    assert "Trop de tentatives" in blocked.text
    # Even the right password waits now; another account is not affected.
    assert login_attempt(limited_server, email, PASSWORD).status_code == 429
    assert login_attempt(limited_server, world.observer.email, PASSWORD).status_code == 302


def test_token_api_is_throttled_per_email(limited_server, world):
    url = limited_server.url + "/api/v1/tokens"
    body = {"email": world.actors[1].email, "password": "pas le bon mot de passe"}
    assert [requests.post(url, json=body).status_code for _ in range(3)] == [401] * 3
    blocked = requests.post(url, json=body)
    assert blocked.status_code == 429
    error = blocked.json()["error"]
    assert error["code"] == "rate_limited" and error["message"]


def test_login_page_and_token_api_share_the_allowance(limited_server, world):
    email = world.admin.email  # an account no other test here tries on this server
    wrong = {"email": email, "password": "pas le bon mot de passe"}
    assert login_attempt(limited_server, email).status_code == 401
    assert requests.post(limited_server.url + "/api/v1/tokens", json=wrong).status_code == 401
    assert login_attempt(limited_server, email).status_code == 401
    assert requests.post(limited_server.url + "/api/v1/tokens", json=wrong).status_code == 429
    assert login_attempt(limited_server, email).status_code == 429


REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="module")
def redis_client():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        need("Redis", f"unreachable at {REDIS_URL}")
    yield client
    client.close()


@pytest.mark.slow
def test_login_limit_is_shared_through_redis(app, database_url, instance_path, redis_client,
                                             world):
    env = {"CONCERT_MESSAGE_QUEUE": REDIS_URL, "CONCERT_LOGIN_RATE_LIMIT": "3 per minute"}
    first = Server(database_url, instance_path, **env)
    try:
        second = Server(database_url, instance_path, **env)
        try:
            email = f"guess-{new_secret()}@example.org"
            assert login_attempt(first, email).status_code == 401
            assert login_attempt(second, email).status_code == 401
            assert login_attempt(first, email).status_code == 401
            assert login_attempt(second, email).status_code == 429
            assert login_attempt(first, email).status_code == 429
            keys = list(redis_client.scan_iter(match=f"*{email}*"))
            assert keys, "the limiter's counters are not in Redis"
            redis_client.delete(*keys)
        finally:
            second.stop()
    finally:
        first.stop()


# --- who sees what, and where redirects go -----------------------------------------------

def test_non_members_get_404_and_actors_403(server, world):
    outsider = signed_in(server, world.outsider)
    for path in ("/t/metropole/", "/t/metropole/members", "/t/nowhere/"):
        assert outsider.get(server.url + path).status_code == 404, path
    actor = signed_in(server, world.actor)
    assert actor.get(server.url + "/t/metropole/").status_code == 200
    assert actor.get(server.url + "/t/metropole/members").status_code == 403
    observer = signed_in(server, world.observer)
    assert observer.get(server.url + "/t/metropole/members").status_code == 403
    # A platform admin manages the territory's members, not its content.
    admin = signed_in(server, world.admin)
    assert admin.get(server.url + "/t/metropole/members").status_code == 200
    assert admin.get(server.url + "/t/metropole/").status_code == 404


def test_anonymous_is_sent_to_login_and_comes_back(server, world):
    session = browser()
    for path in ("/", "/t/metropole/", "/t/metropole/members"):
        response = session.get(server.url + path, allow_redirects=False)
        assert response.status_code == 302, path
        assert urlsplit(response.headers["Location"]).path == "/login"
    response = session.get(server.url + "/t/metropole/members", allow_redirects=False)
    login_page = session.get(urljoin(server.url, response.headers["Location"]))
    assert 'name="next"' in login_page.text and "/t/metropole/members" in login_page.text

    signed = session.post(server.url + "/login", data={
        "csrf_token": _csrf_from(login_page.text), "email": world.facilitator.email,
        "password": PASSWORD, "next": "/t/metropole/members"}, allow_redirects=False)
    assert signed.status_code == 302
    assert urlsplit(signed.headers["Location"]).path == "/t/metropole/members"


@pytest.mark.parametrize("target", [
    "//evil.example", "//evil.example/t/metropole/", "https://evil.example",
    "http://evil.example/", "/\\evil.example", "/\\/evil.example", "\\\\evil.example",
    "javascript:alert(1)", "/\t/evil.example",
])
def test_next_never_leaves_the_site(server, world, target):
    session = browser()
    page = session.get(server.url + "/login", params={"next": target})
    response = session.post(server.url + "/login", data={
        "csrf_token": _csrf_from(page.text), "email": world.actor.email, "password": PASSWORD,
        "next": target}, allow_redirects=False)
    assert response.status_code == 302
    assert lands_on_site(server, response.headers["Location"]), response.headers["Location"]


# --- the invitation page -----------------------------------------------------------------

def closed_invitations() -> dict[str, tuple[str, str]]:
    """Token and expected message of an expired, a used and a revoked invitation."""
    expired, expired_token = invite("expired@example.org")
    expired.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    _used, used_token = invite("used@example.org")
    members.accept_invitation(used_token, name="Ulysse", password="un mot de passe long")
    revoked, revoked_token = invite("revoked@example.org")
    members.revoke_invitation(territories.system_access("metropole"), revoked.id)
    return {
        "expired": (expired_token, "Cette invitation a expiré."),
        "used": (used_token, "Cette invitation a déjà été utilisée."),
        "revoked": (revoked_token, "Cette invitation a été annulée."),
    }


def test_closed_invitations_show_a_clear_page_and_create_nothing(server, world, csrf_from):
    memberships_before = count(Membership)
    closed = closed_invitations()
    for state, (token, message) in closed.items():
        users_before = count(User)
        session = browser()
        page = session.get(server.url + f"/invite/{token}")
        assert page.status_code == 410, state
        assert message in page.text and "Invitation indisponible" in page.text, state
        assert 'name="password"' not in page.text
        posted = session.post(server.url + f"/invite/{token}", data={
            "csrf_token": csrf_from(page.text), "name": "Pirate",
            "password": "un mot de passe long", "confirm": "un mot de passe long"},
            allow_redirects=False)
        assert posted.status_code == 410 and message in posted.text, state
        assert count(User) == users_before
    assert count(Membership) == memberships_before + 1  # only the one accepted on purpose
    assert not user_exists("expired@example.org") and not user_exists("revoked@example.org")

    unknown = browser().get(server.url + "/invite/not-a-real-token")
    assert unknown.status_code == 404 and "Cette invitation n'existe pas." in unknown.text


def test_accepting_through_the_page_signs_in_and_lands_in_the_territory(server, world, csrf_from):
    _invitation, token = invite("nouvelle@example.org")
    session = browser()
    page = session.get(server.url + f"/invite/{token}")
    assert page.status_code == 200 and "nouvelle@example.org" in page.text
    data = {"csrf_token": csrf_from(page.text), "name": "Nora Nouvelle",
            "password": "un mot de passe long", "confirm": "un autre mot de passe"}
    mismatch = session.post(server.url + f"/invite/{token}", data=data, allow_redirects=False)
    assert mismatch.status_code == 422 and not user_exists("nouvelle@example.org")

    data["confirm"] = data["password"]
    accepted = session.post(server.url + f"/invite/{token}", data=data, allow_redirects=False)
    assert accepted.status_code == 302
    assert urlsplit(accepted.headers["Location"]).path == "/t/metropole/"
    workspace = session.get(urljoin(server.url, accepted.headers["Location"]))
    assert workspace.status_code == 200 and "Nora Nouvelle" in workspace.text
    assert session.get(server.url + f"/invite/{token}").status_code == 410


def test_existing_account_joins_through_the_page_with_its_password(server, world, csrf_from):
    _invitation, token = invite(world.outsider.email, role="observer")
    session = browser()
    page = session.get(server.url + f"/invite/{token}")
    assert 'name="name"' not in page.text and 'name="password"' in page.text
    wrong = session.post(server.url + f"/invite/{token}", data={
        "csrf_token": csrf_from(page.text), "password": "pas le bon mot de passe"},
        allow_redirects=False)
    assert wrong.status_code == 422 and membership_of(world.outsider) is None
    right = session.post(server.url + f"/invite/{token}", data={
        "csrf_token": csrf_from(page.text), "password": PASSWORD}, allow_redirects=False)
    assert right.status_code == 302 and membership_of(world.outsider).role == "observer"


# --- the members page --------------------------------------------------------------------

def member_form(session, server, csrf_from) -> str:
    return csrf(session, server.url + "/t/metropole/members", csrf_from)


def test_inviting_through_the_form_shows_the_link_once(server, world, csrf_from):
    session = signed_in(server, world.facilitator)
    response = session.post(server.url + "/t/metropole/invitations", data={
        "csrf_token": member_form(session, server, csrf_from), "email": "Recrue@Example.org",
        "role": "observer", "organisation": "Transports urbains",
        "organisation_kind": "transport"}, allow_redirects=False)
    assert response.status_code == 302
    page = session.get(server.url + "/t/metropole/members").text
    links = re.findall(r'value="(http[^"]*/invite/[^"]+)"', page)
    assert len(links) == 1 and "recrue@example.org" in page
    assert browser().get(links[0]).status_code == 200
    assert re.findall(r'/invite/[A-Za-z0-9_-]{20,}', session.get(
        server.url + "/t/metropole/members").text) == []
    fresh()
    invitation = db.session.scalar(sa.select(Invitation).where(
        Invitation.email == "recrue@example.org"))
    assert invitation.role == "observer" and invitation.organisation_kind == "transport"


def test_inviting_an_existing_member_is_refused(server, world, csrf_from):
    session = signed_in(server, world.facilitator)
    before = count(Invitation)
    response = session.post(server.url + "/t/metropole/invitations", data={
        "csrf_token": member_form(session, server, csrf_from),
        "email": world.actor.email.upper(), "role": "actor", "organisation": "DDSP 13",
        "organisation_kind": "police_nationale"}, allow_redirects=False)
    assert response.status_code == 409
    assert "Cette personne est déjà membre du territoire." in response.text
    assert count(Invitation) == before


def test_invalid_invitation_form_is_shown_again(server, world, csrf_from):
    session = signed_in(server, world.facilitator)
    before = count(Invitation)
    response = session.post(server.url + "/t/metropole/invitations", data={
        "csrf_token": member_form(session, server, csrf_from), "email": "pas-une-adresse",
        "role": "actor", "organisation": "Ville", "organisation_kind": "commune"})
    assert response.status_code == 422 and "Adresse e-mail invalide." in response.text
    assert count(Invitation) == before


def test_change_role_and_remove_member_through_the_forms(server, world, csrf_from):
    session = signed_in(server, world.facilitator)
    actor = membership_of(world.actor)
    changed = session.post(server.url + f"/t/metropole/members/{actor.id}/role", data={
        "csrf_token": member_form(session, server, csrf_from), "role": "facilitator"})
    assert changed.status_code == 200 and "Rôle modifié." in changed.text
    assert membership_of(world.actor).role == "facilitator"

    other = membership_of(world.actors[1])
    removed = session.post(server.url + f"/t/metropole/members/{other.id}/remove", data={
        "csrf_token": member_form(session, server, csrf_from)})
    assert removed.status_code == 200 and "Membre retiré du territoire." in removed.text
    assert membership_of(world.actors[1]) is None
    assert signed_in(server, world.actors[1]).get(
        server.url + "/t/metropole/").status_code == 404


def test_revoking_an_invitation_through_the_form(server, world, csrf_from):
    invitation, token = invite("annulee@example.org")
    session = signed_in(server, world.facilitator)
    page = session.get(server.url + "/t/metropole/members").text
    assert "annulee@example.org" in page
    revoked = session.post(
        server.url + f"/t/metropole/invitations/{invitation.id}/revoke",
        data={"csrf_token": csrf_from(page)})
    assert revoked.status_code == 200 and "Invitation annulée." in revoked.text
    assert browser().get(server.url + f"/invite/{token}").status_code == 410


def test_the_last_facilitator_can_be_neither_demoted_nor_removed(server, world, csrf_from):
    session = signed_in(server, world.facilitator)
    me = membership_of(world.facilitator)
    message = "Le territoire doit garder au moins un animateur."
    demoted = session.post(server.url + f"/t/metropole/members/{me.id}/role", data={
        "csrf_token": member_form(session, server, csrf_from), "role": "actor"})
    assert demoted.status_code == 200 and message in demoted.text
    removed = session.post(server.url + f"/t/metropole/members/{me.id}/remove", data={
        "csrf_token": member_form(session, server, csrf_from)})
    assert removed.status_code == 200 and message in removed.text
    assert membership_of(world.facilitator).role == "facilitator"


def test_actors_cannot_use_the_member_forms(server, world, csrf_from):
    session = signed_in(server, world.actor)
    token = csrf(session, server.url + "/t/metropole/", csrf_from)
    me = membership_of(world.actor)
    facilitator = membership_of(world.facilitator)
    assert session.post(server.url + f"/t/metropole/members/{me.id}/role", data={
        "csrf_token": token, "role": "facilitator"}).status_code == 403
    assert session.post(server.url + f"/t/metropole/members/{facilitator.id}/remove", data={
        "csrf_token": token}).status_code == 403
    assert session.post(server.url + "/t/metropole/invitations", data={
        "csrf_token": token, "email": "x@example.org", "role": "actor",
        "organisation": "Ville", "organisation_kind": "commune"}).status_code == 403
    assert membership_of(world.actor).role == "actor"
    assert membership_of(world.facilitator) is not None


def test_request_bodies_are_bounded_except_the_ssmsi_import(client, world):
    """A 17 MB JSON body is refused before it is read (413); the import routes take the
    national SSMSI base (hundreds of MB), and say so only once they have judged it."""
    from concert.uploads import MAX_BODY

    big = b'{"body": "' + b"x" * (MAX_BODY + 1024) + b'"}'
    refused = client.post("/api/v1/territories/metropole/posts", data=big,
                          headers={**world.actor.bearer(), "Content-Type": "application/json"})
    assert refused.status_code == 413
    assert refused.get_json()["error"]["code"]
    csv = b"x" * (MAX_BODY + 1024)
    accepted = client.post("/api/v1/territories/metropole/diagnostic/import",
                           data={"file": (io.BytesIO(csv), "base.csv")},
                           headers=world.facilitator.bearer())
    assert accepted.status_code == 422  # judged as a file, not refused for its size
