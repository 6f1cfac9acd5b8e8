"""The account and invitation rules, called on the services directly, on both databases."""
from __future__ import annotations

from datetime import timedelta

import argon2
import pytest
import sqlalchemy as sa

from concert.db import db
from concert.models import ApiToken, AuditLog, Invitation, LoginSession, Membership, User, utcnow
from concert.services import accounts, members, security, territories
from concert.services.errors import Conflict, Gone, Invalid, NotFound, Unauthorized
from concert.schemas.territories import InvitationInput

pytestmark = pytest.mark.usefixtures("french")  # services speak French outside a request

PASSWORD = "un mot de passe assez long"


@pytest.fixture
def territory(ctx):
    return territories.create_territory(None, "metropole", "Métropole test", "13", ["13055"])


def system():
    return territories.system_access("metropole")


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


def every_stored_value() -> str:
    """Every text value of every row of the tables a secret could leak into."""
    values = []
    for model in (User, ApiToken, LoginSession, Invitation, AuditLog):
        for row in db.session.execute(sa.select(model.__table__)):
            values += [str(value) for value in row]
    return "\n".join(values)


# --- passwords ---------------------------------------------------------------------------

def test_passwords_are_hashed_with_argon2id(ctx):
    user = accounts.create_user("Anne@Example.org", "Anne", PASSWORD)
    db.session.commit()
    assert user.email == "anne@example.org"
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in every_stored_value()
    assert accounts.authenticate("ANNE@example.org ", PASSWORD).id == user.id


def test_production_hashes_use_the_recommended_argon2id_parameters():
    """The suite hashes with the cheapest parameters; a real server never does."""
    production = security.password_hasher(environ={})
    parameters = argon2.extract_parameters(production.hash("x" * 12))
    assert parameters == argon2.profiles.RFC_9106_LOW_MEMORY
    assert parameters.memory_cost == 65536 and parameters.time_cost == 3


def test_two_users_with_the_same_password_get_different_hashes(ctx):
    first = accounts.create_user("a@example.org", "A", PASSWORD)
    second = accounts.create_user("b@example.org", "B", PASSWORD)
    assert first.password_hash != second.password_hash


@pytest.mark.parametrize("password", ["", "court", "x" * 11, None, 123456789012345])
def test_passwords_need_twelve_characters(ctx, password):
    with pytest.raises(Invalid) as refused:
        accounts.create_user("short@example.org", "Court", password)
    assert refused.value.field == "password"
    db.session.rollback()
    assert accounts.find_user("short@example.org") is None


def test_twelve_characters_are_enough(ctx):
    assert accounts.create_user("ok@example.org", "Ok", "x" * 12).id


def test_create_admin_refuses_a_short_password_and_changes_nothing(ctx):
    with pytest.raises(Invalid):
        accounts.create_admin("admin@example.org", "court")
    db.session.rollback()
    assert accounts.find_user("admin@example.org") is None

    admin = accounts.create_admin("admin@example.org", PASSWORD)
    old_hash = admin.password_hash
    with pytest.raises(Invalid):
        accounts.create_admin("admin@example.org", "court")
    db.session.rollback()
    assert accounts.find_user("admin@example.org").password_hash == old_hash


def test_unknown_user_and_wrong_password_raise_the_same_error(ctx):
    accounts.create_user("known@example.org", "Known", PASSWORD)
    db.session.commit()
    errors = []
    for email, password in [("unknown@example.org", PASSWORD),
                            ("known@example.org", "pas le bon mot de passe"),
                            ("known@example.org", None), (None, PASSWORD)]:
        with pytest.raises(Unauthorized) as refused:
            accounts.authenticate(email, password)
        errors.append((type(refused.value), refused.value.code, str(refused.value.message),
                       refused.value.field, refused.value.as_dict()))
    assert all(error == errors[0] for error in errors)
    assert errors[0][1] == "invalid_credentials"


# --- API tokens and browser sessions -----------------------------------------------------

def test_api_tokens_are_stored_hashed(ctx):
    user = accounts.create_user("t@example.org", "T", PASSWORD)
    db.session.commit()
    token = accounts.issue_api_token(user, "script")
    stored = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    assert token not in every_stored_value()
    assert stored.token_hash != token and len(stored.token_hash) == 64
    assert accounts.user_for_token(token).id == user.id
    assert accounts.user_for_token(stored.token_hash) is None
    assert accounts.user_for_token(token + "x") is None


def test_each_token_is_new_and_revoked_tokens_stop_working(ctx):
    user = accounts.create_user("t@example.org", "T", PASSWORD)
    db.session.commit()
    first, second = accounts.issue_api_token(user), accounts.issue_api_token(user)
    assert first != second
    revoked = accounts.list_api_tokens(user)[0]
    accounts.revoke_api_token(user, revoked.id)
    assert accounts.user_for_token(first) is None
    assert accounts.user_for_token(second).id == user.id
    with pytest.raises(NotFound):
        accounts.revoke_api_token(user, revoked.id)


def test_login_sessions_are_stored_hashed_and_end_for_good(ctx):
    user = accounts.create_user("s@example.org", "S", PASSWORD)
    db.session.commit()
    key = accounts.start_login_session(user)
    assert key not in every_stored_value()
    assert accounts.user_for_session(key).id == user.id
    other = accounts.start_login_session(user)
    assert other != key
    accounts.end_login_session(key)
    assert accounts.user_for_session(key) is None
    assert accounts.user_for_session(other).id == user.id


def test_expired_login_sessions_do_not_sign_in(ctx):
    user = accounts.create_user("s@example.org", "S", PASSWORD)
    db.session.commit()
    key = accounts.start_login_session(user)
    db.session.execute(sa.update(LoginSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert accounts.user_for_session(key) is None


# --- invitations -------------------------------------------------------------------------

def test_invitation_tokens_are_stored_only_as_hashes(territory):
    invitation, url = members.invite(system(), InvitationInput(email="new@example.org", role="actor", organisation="Ville", organisation_kind="commune"))
    token = token_of(url)
    assert len(token) >= 40
    assert token not in every_stored_value()
    assert invitation.token_hash != token and len(invitation.token_hash) == 64
    assert members.open_invitation(token).id == invitation.id
    with pytest.raises(NotFound):
        members.open_invitation(invitation.token_hash)


def test_invitations_expire_after_seven_days_by_default(territory):
    before = utcnow()
    invitation, _url = members.invite(system(), InvitationInput(email="new@example.org", role="actor", organisation="Ville", organisation_kind="commune"))
    after = utcnow()
    assert before + timedelta(days=7) <= invitation.expires_at <= after + timedelta(days=7)


def test_an_expired_invitation_cannot_be_accepted(territory):
    invitation, url = members.invite(system(), InvitationInput(email="new@example.org", role="actor", organisation="Ville", organisation_kind="commune"))
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(Gone) as gone:
        members.accept_invitation(token_of(url), name="Nina", password=PASSWORD)
    assert gone.value.code == "invitation_expired"
    db.session.rollback()
    assert accounts.find_user("new@example.org") is None


def test_invitations_are_single_use_even_accepted_twice_in_a_row(territory):
    _invitation, url = members.invite(system(), InvitationInput(email="new@example.org", role="observer", organisation="Parquet", organisation_kind="justice"))
    membership = members.accept_invitation(token_of(url), name="Nina", password=PASSWORD)
    assert membership.role == "observer" and membership.organisation_kind == "justice"
    with pytest.raises(Gone) as gone:
        members.accept_invitation(token_of(url), name="Nina", password=PASSWORD)
    assert gone.value.code == "invitation_used"
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_an_invitation_claimed_in_between_is_not_used_twice(territory, monkeypatch):
    """Two acceptances racing: the slower one read the invitation before the faster one
    claimed it; its claim finds nothing left to claim and creates nothing."""
    invitation, url = members.invite(system(), InvitationInput(email="new@example.org", role="actor", organisation="Ville", organisation_kind="commune"))
    stale = members.open_invitation(token_of(url))
    db.session.expunge(stale)
    # The faster request has claimed the row and not yet committed its membership.
    db.session.execute(sa.update(Invitation).where(Invitation.id == invitation.id)
                       .values(accepted_at=utcnow()))
    db.session.commit()
    monkeypatch.setattr(members, "open_invitation", lambda _token: stale)
    with pytest.raises(Gone) as gone:
        members.accept_invitation(token_of(url), name="Nina", password=PASSWORD)
    assert gone.value.code == "invitation_used"
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership)) == 0
    assert accounts.find_user("new@example.org") is None


def test_a_new_invitation_supersedes_the_pending_one(territory):
    first, first_url = members.invite(system(), InvitationInput(email="new@example.org", role="actor", organisation="Ville", organisation_kind="commune"))
    second, second_url = members.invite(system(), InvitationInput(email="NEW@example.org", role="observer", organisation="Ville", organisation_kind="commune"))
    pending = members.pending_invitations(system())
    assert [i.id for i in pending] == [second.id]
    with pytest.raises(Gone) as gone:
        members.open_invitation(token_of(first_url))
    assert gone.value.code == "invitation_revoked"
    membership = members.accept_invitation(token_of(second_url), name="Nina", password=PASSWORD)
    assert membership.role == "observer"


def test_a_refused_invitation_supersedes_nothing(territory):
    _first, first_url = members.invite(system(), InvitationInput(email="new@example.org", role="actor", organisation="Ville", organisation_kind="commune"))
    with pytest.raises(Invalid):
        members.invite(system(), InvitationInput(email="new@example.org", role="king", organisation="Ville", organisation_kind="commune"))
    db.session.rollback()
    assert members.open_invitation(token_of(first_url))


def test_inviting_a_member_is_a_conflict_and_creates_nothing(territory):
    _invitation, url = members.invite(system(), InvitationInput(email="new@example.org", role="actor", organisation="Ville", organisation_kind="commune"))
    members.accept_invitation(token_of(url), name="Nina", password=PASSWORD)
    with pytest.raises(Conflict):
        members.invite(system(), InvitationInput(email="New@Example.org", role="observer", organisation="Ville", organisation_kind="commune"))
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 1


def test_an_existing_account_must_prove_it_is_theirs(territory):
    user = accounts.create_user("known@example.org", "Known", PASSWORD)
    db.session.commit()
    _invitation, url = members.invite(system(), InvitationInput(email="known@example.org", role="actor", organisation="Ville", organisation_kind="commune"))
    with pytest.raises(Unauthorized):
        members.accept_invitation(token_of(url), name="Pirate", password="un autre mot de passe")
    db.session.rollback()
    assert accounts.authenticate("known@example.org", PASSWORD).id == user.id
    assert members.open_invitation(token_of(url))  # still usable by its owner
    membership = members.accept_invitation(token_of(url), password=PASSWORD)
    assert membership.user_id == user.id
    assert accounts.find_user("known@example.org").name == "Known"


def test_a_signed_in_invitee_needs_no_password_but_someone_else_does(territory):
    invitee = accounts.create_user("known@example.org", "Known", PASSWORD)
    other = accounts.create_user("other@example.org", "Other", PASSWORD)
    db.session.commit()
    _invitation, url = members.invite(system(), InvitationInput(email="known@example.org", role="actor", organisation="Ville", organisation_kind="commune"))
    with pytest.raises(Unauthorized):
        members.accept_invitation(token_of(url), signed_in=other)
    db.session.rollback()
    assert members.accept_invitation(token_of(url), signed_in=invitee).user_id == invitee.id
