"""Personal data (RGPD): everything concert holds about a person, as JSON, and the deletion
of an account.

A deleted account's posts stay, authored by "Ancien membre" with the organisation they
spoke for: the concertation's record and the commitments' provenance stay whole. Its name
and address leave the event log and the audit log, which keep the acts; its memberships,
supports, dots, tokens, sign-ins, links, mails, notifications and unattached uploads go, and
its sockets are closed."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..db import db
from ..labels import FORMER_MEMBER
from ..models import (
    ApiToken, AuditLog, Channel, Event, Invitation, LoginSession, MailOutbox, Membership, Post,
    PostRevision, Support, Territory, User, utcnow,
)
from ..models.files import File
from ..models.notifications import Digest, Notification, NotificationPreference
from ..models.workshops import Attendance, Dot, Vote, Workshop
from . import (
    accounts, audience, audit, files, mail, notifications, platform, presence, workshops,
)
from .errors import Conflict


# --- export ------------------------------------------------------------------------------

def export(user: User) -> dict:
    """Everything concert holds about `user` (schemas/me.PersonalData)."""
    uid = user.id
    return {
        "exported_at": utcnow(),
        "account": {
            "id": uid, "email": user.email, "name": user.name, "language": user.locale,
            "time_zone": user.time_zone, "is_admin": user.is_admin,
            "created_at": user.created_at, "last_login_at": user.last_login_at},
        "memberships": [
            {"territory": t.slug, "territory_name": t.name, "role": m.role,
             "organisation": m.organisation, "organisation_kind": m.organisation_kind,
             "created_at": m.created_at}
            for m, t in db.session.execute(
                sa.select(Membership, Territory).join(Territory)
                .where(Membership.user_id == uid).order_by(Membership.id))],
        "posts": _posts(uid),
        "supports": [
            {"post": s.post_id, "territory": slug, "created_at": s.created_at}
            for s, slug in db.session.execute(
                sa.select(Support, Territory.slug).join(Post, Post.id == Support.post_id)
                .join(Territory, Territory.id == Post.territory_id)
                .where(Support.user_id == uid).order_by(Support.created_at))],
        "votes": [
            {"vote": v.id, "question": v.question, "workshop": v.workshop_id,
             "post": d.post_id, "slot": d.slot, "placed_at": d.placed_at}
            for d, v in db.session.execute(
                sa.select(Dot, Vote).join(Vote).where(Dot.user_id == uid)
                .order_by(Dot.vote_id, Dot.slot))],
        "attendance": [
            {"workshop": w.id, "title": w.title, "organisation": a.organisation,
             "first_seen": a.first_seen, "last_seen": a.last_seen}
            for a, w in db.session.execute(
                sa.select(Attendance, Workshop).join(Workshop)
                .where(Attendance.user_id == uid).order_by(Attendance.first_seen))],
        "audit": [
            {"id": e.id, "action": e.action, "territory": slug,
             "by_me": e.actor_id == uid, "object_type": e.object_type,
             "object_id": e.object_id, "before": e.before, "after": e.after,
             "created_at": e.created_at}
            for e, slug in db.session.execute(
                sa.select(AuditLog, Territory.slug).outerjoin(Territory)
                .where(_about(uid)).order_by(AuditLog.id))],
        "tokens": [
            {"id": t.id, "label": t.label, "created_at": t.created_at,
             "last_used_at": t.last_used_at, "expires_at": t.expires_at,
             "revoked_at": t.revoked_at}
            for t in db.session.scalars(
                sa.select(ApiToken).where(ApiToken.user_id == uid).order_by(ApiToken.id))],
        "sessions": [
            {"id": s.id, "created_at": s.created_at, "last_seen_at": s.last_seen_at,
             "expires_at": s.expires_at, "user_agent": s.user_agent,
             "ip_address": s.ip_address}
            for s in db.session.scalars(
                sa.select(LoginSession).where(LoginSession.user_id == uid)
                .order_by(LoginSession.id))],
        "notifications": [
            notifications.serialise(n, t) for n, t in db.session.execute(
                sa.select(Notification, Territory).join(Territory)
                .where(Notification.user_id == uid).order_by(Notification.id))],
        "preferences": {"notifications": notifications.preferences(user)},
        "files": [
            {"id": f.id, "territory": slug, "name": f.name, "size": f.size,
             "content_type": f.content_type, "attached": f.attached_at is not None,
             "created_at": f.created_at}
            for f, slug in db.session.execute(
                sa.select(File, Territory.slug).join(Territory)
                .where(File.uploader_id == uid).order_by(File.created_at))],
    }


def _posts(uid: int) -> list[dict]:
    rows = db.session.execute(
        sa.select(Post, Territory.slug, Channel.name)
        .join(Territory, Territory.id == Post.territory_id)
        .join(Channel, Channel.id == Post.channel_id)
        .where(Post.author_id == uid).order_by(Post.id)).all()
    revisions: dict[int, list[dict]] = {}
    for r in db.session.scalars(
            sa.select(PostRevision).join(Post).where(Post.author_id == uid)
            .order_by(PostRevision.id)):
        revisions.setdefault(r.post_id, []).append(
            {"body": r.body, "written_at": r.written_at, "replaced_at": r.replaced_at})
    return [
        {"id": p.id, "territory": slug, "channel": channel, "kind": p.kind, "body": p.body,
         "status": p.status, "organisation": p.author_organisation,
         "created_at": p.created_at, "edited_at": p.edited_at,
         "deleted": p.deleted_at is not None, "revisions": revisions.get(p.id, [])}
        for p, slug, channel in rows]


def _about(uid: int) -> sa.ColumnElement[bool]:
    """Audit entries the person made, or made about their account."""
    return sa.or_(AuditLog.actor_id == uid,
                  sa.and_(AuditLog.object_type == "user", AuditLog.object_id == uid))


def export_of(admin: User, user_id: Any) -> tuple[User, dict]:
    """A platform admin's export of a person's data (audited: it is a disclosure)."""
    user = platform.person(admin, user_id)
    audit.record("account.export", actor=admin, obj=user)
    db.session.commit()
    return user, export(user)


# --- deletion ----------------------------------------------------------------------------

def delete_own(user: User, password: Any) -> None:
    """The person deletes their account, their password confirming it."""
    accounts.verify_password(user, password)
    _delete(user, by="self", actor=None)


def delete_person(admin: User, user_id: Any) -> None:
    """A platform admin deletes a person's account; the audit keeps which admin did."""
    _delete(platform.person(admin, user_id), by="admin", actor=admin)


def _delete(user: User, *, by: str, actor: User | None) -> None:
    uid, email = user.id, user.email
    if user.is_admin and db.session.scalar(
            sa.select(sa.func.count()).select_from(User).where(User.is_admin)) <= 1:
        raise Conflict(_l("C'est le dernier compte d'administrateur de la plateforme : "
                          "nommez-en un autre avant de le supprimer."), code="last_admin")
    memberships = db.session.scalars(
        sa.select(Membership).where(Membership.user_id == uid)).all()
    for membership in memberships:
        presence.evict(uid, membership.territory_id)
        workshops.forget(membership)
    presence.end_sockets(audience.user_room(uid))
    _scrub_events(uid, [m.territory_id for m in memberships])
    _scrub_audit(uid, email)
    supported = list(db.session.scalars(sa.select(Support.post_id).where(
        Support.user_id == uid)))
    kept = db.session.scalar(sa.select(sa.func.count()).select_from(Post).where(
        Post.author_id == uid))
    for model in (Support, Dot, Attendance, LoginSession, ApiToken, Notification,
                  NotificationPreference, Digest):
        db.session.execute(sa.delete(model).where(model.user_id == uid))
    # Documents attached to a post, commitment or workshop stay with it (like the posts);
    # those never attached were only ever the person's.
    files.discard(list(db.session.scalars(sa.select(File).where(
        File.uploader_id == uid, File.attached_at.is_(None)))))
    db.session.execute(sa.delete(Invitation).where(Invitation.email == email))
    _forget_mail(email)
    # The posts stay: the database sets their author (and every other trace's) to NULL.
    db.session.execute(sa.update(Post).where(Post.author_id == uid).values(author_id=None))
    db.session.delete(user)
    db.session.flush()
    for post_id in supported:
        db.session.execute(sa.update(Post).where(Post.id == post_id).values(
            support_count=sa.select(sa.func.count()).select_from(Support)
            .where(Support.post_id == post_id).scalar_subquery()))
    audit.record("account.delete", actor=actor, obj=user,
                 after={"by": by, "posts_kept": kept, "memberships": len(memberships)})
    db.session.commit()


def _scrub_events(uid: int, territory_ids: list[int]) -> None:
    """The event log (replayed to reconnecting clients) keeps the events, without the
    person: a post's author becomes "Ancien membre", a support's supporter nobody."""
    if not territory_ids:
        return
    former = str(FORMER_MEMBER)
    rows = db.session.execute(sa.select(Event.id, Event.data).where(
        Event.territory_id.in_(territory_ids))).yield_per(1000)
    changed = [(event_id, scrubbed) for event_id, data in rows
               if (scrubbed := _without(data, uid, former)) is not data]
    for event_id, data in changed:
        db.session.execute(sa.update(Event).where(Event.id == event_id).values(data=data))


def _without(value: Any, uid: int, former: str) -> Any:
    """`value` itself when it names nobody with this id, else a copy that names them as a
    former member ("author"), or not at all (a supporter, "user")."""
    if isinstance(value, list):
        items = [_without(item, uid, former) for item in value]
        return items if any(a is not b for a, b in zip(items, value)) else value
    if not isinstance(value, dict):
        return value
    result = dict(value)
    for key, item in value.items():
        if key in ("author", "user") and isinstance(item, dict) and item.get("id") == uid:
            if key == "author":
                result[key] = {**item, "id": None, "name": former}
            elif "organisation_kind" in item or "role" in item:  # a member's presence
                result[key] = {k: v for k, v in item.items() if k != "email"} | {
                    "name": former}
            else:
                result[key] = None
        else:
            result[key] = _without(item, uid, former)
    changed = any(result[k] is not value[k] for k in value)
    return result if changed else value


def _scrub_audit(uid: int, email: str) -> None:
    """The audit log keeps each act (who did it becomes nobody, by the foreign key), not
    the person: entries about the account lose their details, and the address goes from
    every entry that quotes it."""
    db.session.execute(sa.update(AuditLog).where(
        AuditLog.object_type == "user", AuditLog.object_id == uid).values(
        before=None, after=None))
    quoting = db.session.scalars(sa.select(AuditLog).where(sa.or_(
        sa.cast(AuditLog.before, sa.Text).contains(email),
        sa.cast(AuditLog.after, sa.Text).contains(email)))).all()
    for entry in quoting:
        entry.before = _blank(entry.before, email)
        entry.after = _blank(entry.after, email)


def _blank(value: Any, email: str) -> Any:
    if isinstance(value, dict):
        return {k: _blank(v, email) for k, v in value.items()}
    if isinstance(value, list):
        return [_blank(v, email) for v in value]
    return "" if value == email else value


def _forget_mail(email: str) -> None:
    """The outbox's mails to the address, and their copies in the instance folder."""
    ids = list(db.session.scalars(sa.select(MailOutbox.id).where(MailOutbox.recipient == email)))
    db.session.execute(sa.delete(MailOutbox).where(MailOutbox.id.in_(ids)))
    for mail_id in ids:
        mail.mail_file(mail_id).unlink(missing_ok=True)
