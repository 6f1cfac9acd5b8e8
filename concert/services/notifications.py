"""Notifications: what concerns a person, in the bell of every page, live over Socket.IO,
and by mail at once or in a daily or weekly digest, as each person chose per category.

A notification is written in the transaction of the change that causes it (one bulk
insert), by the service making the change; its `notification` event goes out once that
commits. Mails are not composed in that request: a notification to mail at once is marked
`mail_pending`, and the mailer (`mail_due`, run by each server process and by
`concert digest-send`) composes it into the outbox later, once, whichever process claims
it. Recipients pass the one audience rule (services/audience.py): nobody gets a word of a
channel they cannot see, never the author of the change, and only current members."""
from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from typing import Any, Iterable
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, format_date, format_datetime, gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import IntegrityError

from ..db import db
from ..labels import COMMITMENT_STATUS_LABELS, PHASE_LABELS
from ..models import Channel, Commitment, Event, Membership, Post, Territory, User, utcnow
from ..models.notifications import (
    CATEGORIES, DEFAULT_FREQUENCIES, NOTIFICATION_TYPES, Digest, Notification,
    NotificationPreference,
)
from ..models.workshops import Workshop
from ..schemas.notifications import MarkRead, NotificationsQuery, PreferencesInput
from . import audience, events, mail
from .access import Access
from .errors import NotFound

EXCERPT = 140
MAIL_BATCH = 100
POLL_SECONDS = 60  # how soon another process's notifications are mailed, and digests sent
DIGEST_HOUR = 7  # digests leave from this hour, local time (weekly ones on Mondays)
COMING = timedelta(days=14)  # the workshops a digest announces
MEASUREMENTS_LOCK = 0x636F6E6D  # advisory lock of the measurement reminders ("conm")
_reminded: dict[str, date] = {}  # the day this process last sent them

# Wakes this process's mailer at once when it commits a notification to mail.
_wake = threading.Event()

CATEGORY_LABELS = {
    "reply": _l("Réponses à mes messages"),
    "mention": _l("Mentions de moi ou de mon organisation"),
    "decision": _l("Décisions sur mes contributions"),
    "commitment": _l("Engagements que mon organisation pilote ou accompagne"),
    "workshop": _l("Ateliers où mon organisation est invitée"),
    "contract": _l("Versions du contrat"),
    "phase": _l("Phase du territoire"),
}
FREQUENCY_LABELS = {
    "immediate": _l("Immédiatement"),
    "daily": _l("Résumé quotidien"),
    "weekly": _l("Résumé hebdomadaire"),
    "never": _l("Jamais par courriel"),
}


# --- making them ---------------------------------------------------------------------------

def notify(territory: Territory, type_: str, data: dict[str, Any],
           recipients: Iterable[Membership], *, actor_id: int | None,
           channel: Channel | None = None, post_id: int | None = None,
           mailed_elsewhere: bool = False) -> int:
    """Within the caller's transaction: one notification of `type_` to each of these
    members who may see `channel` (None: what every member sees), except the person who
    made the change. `mailed_elsewhere`: the change mails them already (a workshop's
    calendar invitation), so no second mail. Returns how many were made."""
    category = NOTIFICATION_TYPES[type_]
    wanted: dict[int, Membership] = {}
    for membership in recipients:
        if membership.territory_id != territory.id or membership.user_id == actor_id:
            continue
        if channel is not None and not audience.can_see_channel(
                Access(None, territory, membership), channel):
            continue
        wanted.setdefault(membership.user_id, membership)
    if not wanted:
        return 0
    frequencies = _frequencies(list(wanted), category)
    now = utcnow()
    data = {**data, "url": data.get("url") or f"/t/{territory.slug}/"}
    rows = [{"user_id": user_id, "territory_id": territory.id, "type": type_,
             "category": category, "data": data, "channel_id": channel.id if channel else None,
             "post_id": post_id, "created_at": now,
             "mail_pending": frequencies[user_id] == "immediate" and not mailed_elsewhere}
            for user_id in wanted]
    table = Notification.__table__  # Core: 500 rows are one statement, no ORM objects
    made = db.session.execute(table.insert().returning(table.c.id, table.c.user_id), rows).all()
    for notification_id, user_id in made:
        events.notify_person(user_id, {
            "id": notification_id, "type": type_, "territory": territory.slug, "data": data,
            "read": False, "created_at": now.isoformat()})
    if any(row["mail_pending"] for row in rows):
        events.after_commit(_wake.set)
    return len(made)


def members(territory: Territory, *, user_ids: Iterable[int] | None = None,
            organisations: Iterable[str] | None = None) -> list[Membership]:
    """The territory's current members: all, those among `user_ids`, or those of these
    organisations (names compared without case)."""
    query = sa.select(Membership).where(Membership.territory_id == territory.id)
    if user_ids is not None:
        query = query.where(Membership.user_id.in_(list(user_ids)))
    found = list(db.session.scalars(query.order_by(Membership.id)))
    if organisations is not None:
        names = {name.casefold() for name in organisations if name}
        found = [m for m in found if m.organisation.casefold() in names]
    return found


def post_created(post: Post, parent: Post | None, answered_id: int | None) -> None:
    """A reply notifies the author of the thread's first message and the author of the
    reply it answers (`answered_id`, the post the person clicked "reply" on)."""
    if parent is None:
        return
    answered = db.session.get(Post, answered_id) if answered_id else None
    authors = {p.author_id for p in (parent, answered) if p is not None and p.author_id}
    territory = db.session.get(Territory, post.territory_id)
    notify(territory, "post.reply", _post_data(territory, post),
           members(territory, user_ids=authors), actor_id=post.author_id,
           channel=post.channel, post_id=post.id)


def notify_mentions(post: Post, person_ids: Iterable[int]) -> int:
    """The people a post mentions (by name or through their organisation): called by the
    code that reads mentions, in the post's transaction. Someone this post notifies
    already (the author of the message it answers) is not notified twice."""
    territory = db.session.get(Territory, post.territory_id)
    db.session.flush()
    already = set(db.session.scalars(sa.select(Notification.user_id).where(
        Notification.post_id == post.id)))
    return notify(territory, "post.mention", _post_data(territory, post),
                  members(territory, user_ids=set(person_ids) - already),
                  actor_id=post.author_id, channel=post.channel, post_id=post.id)


def forget(membership: Membership) -> None:
    """A member removed: their notifications of that territory go, none are mailed."""
    db.session.execute(sa.delete(Notification).where(
        Notification.user_id == membership.user_id,
        Notification.territory_id == membership.territory_id))


def post_deleted(post: Post) -> None:
    """A deleted post's words leave the notifications that quoted it."""
    db.session.execute(sa.delete(Notification).where(Notification.post_id == post.id))


def decided(access: Access, post: Post, commitments: list[dict]) -> None:
    """A need or proposal promoted (into these commitments), merged or declined: its
    author hears of it."""
    if post.author_id is None or post.status not in ("promoted", "merged", "declined"):
        return
    territory = access.territory
    data = _post_data(territory, post)
    data.update(kind=post.kind, reason=post.decline_reason, merged_into=post.merged_into_id,
                commitments=commitments)
    notify(territory, f"contribution.{post.status}", data,
           members(territory, user_ids=[post.author_id]),
           actor_id=access.user.id if access.user else None, channel=post.channel,
           post_id=post.id)


def commitment_changed(access: Access, commitment, type_: str, **extra: Any) -> None:
    """A commitment's status changed (`commitment.status`) or it got a measurement
    (`commitment.measurement`): its pilot's and partners' members hear of it."""
    territory = access.territory
    data = {"commitment": commitment.id, "number": commitment.number,
            "title": commitment.title, "status": commitment.status,
            "url": f"/t/{territory.slug}/commitments/{commitment.id}", **extra}
    notify(territory, type_, data,
           members(territory, organisations=[commitment.pilot, *commitment.partners]),
           actor_id=access.user.id if access.user else None)


def remind_due_measurements(today: date) -> int:
    """Each indicator whose measurement falls due (services/evaluation.due_measurements)
    is announced once, for that due date, to the members of the commitment's pilot
    organisation, who record it. Runs with the daily digests; on PostgreSQL one process at
    a time (a transaction-level advisory lock), so two never announce the same. Returns
    how many notifications it made."""
    from . import evaluation  # evaluation reads commitments, which notify: not at import

    if db.session.get_bind().dialect.name == "postgresql" and not db.session.scalar(
            sa.select(sa.func.pg_try_advisory_xact_lock(MEASUREMENTS_LOCK))):
        return 0
    made = 0
    for territory in db.session.scalars(sa.select(Territory).order_by(Territory.id)):
        due = evaluation.due_measurements(territory, today)
        if not due:
            continue
        told = {(n["indicator"], n["due_on"]) for n in db.session.scalars(
            sa.select(Notification.data).where(
                Notification.territory_id == territory.id,
                Notification.type == "commitment.measurement_due"))}
        for item in due:
            if (item["indicator"], item["due_on"].isoformat()) in told:
                continue
            commitment = db.session.get(Commitment, item["commitment"])
            made += notify(territory, "commitment.measurement_due", {
                "commitment": commitment.id, "number": commitment.number,
                "title": commitment.title, "indicator": item["indicator"],
                "name": item["name"], "due_on": item["due_on"].isoformat(),
                "url": f"/t/{territory.slug}/commitments/{commitment.id}"},
                members(territory, organisations=[commitment.pilot]), actor_id=None)
    db.session.commit()
    return made


def workshop_changed(access: Access, workshop, type_: str,
                     invited: list[Membership]) -> None:
    """`workshop.planned|changed|cancelled`, to the members of the organisations invited.
    Their calendar invitation is the mail (services/calendar.py)."""
    territory = access.territory
    data = {"workshop": workshop.id, "title": workshop.title,
            "starts_at": workshop.starts_at.isoformat(), "reason": workshop.cancel_reason,
            "url": f"/t/{territory.slug}/workshops/{workshop.id}"}
    notify(territory, type_, data, invited,
           actor_id=access.user.id if access.user else None, mailed_elsewhere=True)


def contract_frozen(access: Access, version) -> None:
    territory = access.territory
    notify(territory, "contract.version",
           {"version": version.number, "note": version.note or "",
            "url": f"/t/{territory.slug}/contract/versions"},
           members(territory), actor_id=access.user.id if access.user else None)


def phase_changed(access: Access, before: str) -> None:
    territory = access.territory
    notify(territory, "territory.phase", {"phase": territory.phase, "before": before},
           members(territory), actor_id=access.user.id if access.user else None)


def _post_data(territory: Territory, post: Post) -> dict:
    return {"post": post.id, "channel": post.channel_id,
            "author": post.author.name if post.author else "",
            "excerpt": excerpt(post.body), "url": _post_data_url(territory.slug, post)}


def _post_data_url(slug: str, post: Post) -> str:
    thread = post.reply_to_id or post.id
    return f"/t/{slug}/?channel={post.channel_id}&thread={thread}#post-{post.id}"


def excerpt(text: str, length: int = EXCERPT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[:length - 1] + "…"


# --- reading them ---------------------------------------------------------------------------

def _visible(user: User) -> sa.ColumnElement[bool]:
    """Of this person, in territories they are still a member of, of no channel hidden from
    them now (a channel restricted since, a membership whose kind changed)."""
    conditions = []
    for membership in db.session.scalars(sa.select(Membership).where(
            Membership.user_id == user.id)):
        visible = audience.visible_channel_ids(Access(user, membership.territory, membership))
        conditions.append(sa.and_(
            Notification.territory_id == membership.territory_id,
            sa.or_(Notification.channel_id.is_(None), Notification.channel_id.in_(visible))))
    return sa.and_(Notification.user_id == user.id, sa.or_(sa.false(), *conditions))


def list_for(user: User, query: NotificationsQuery = NotificationsQuery()
             ) -> list[tuple[Notification, Territory]]:
    """(notification, its territory), newest first."""
    select = (sa.select(Notification, Territory)
              .join(Territory, Territory.id == Notification.territory_id)
              .where(_visible(user)).order_by(Notification.id.desc()).limit(query.limit))
    if query.unread:
        select = select.where(Notification.read_at.is_(None))
    return [tuple(row) for row in db.session.execute(select)]


def unread_count(user: User) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        _visible(user), Notification.read_at.is_(None)))


def mark_read(user: User, data: MarkRead) -> int:
    """Marks these notifications of this person (or all) read; returns how many were
    unread. Ids of others' notifications change nothing."""
    update = sa.update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))
    if not data.all:
        update = update.where(Notification.id.in_(data.ids))
    count = db.session.execute(update.values(read_at=utcnow())).rowcount
    db.session.commit()
    return count


def serialise(notification: Notification, territory: Territory) -> dict:
    return {"id": notification.id, "type": notification.type, "territory": territory.slug,
            "data": notification.data, "read": notification.read_at is not None,
            "created_at": notification.created_at.isoformat()}


def describe(type_: str, data: dict) -> str:
    """The sentence a person reads, in the current language."""
    quoted = data.get("excerpt", "")
    if type_ == "post.reply":
        return _("%(author)s a répondu à votre message : « %(text)s »",
                 author=data["author"], text=quoted)
    if type_ == "post.mention":
        return _("%(author)s vous a mentionné : « %(text)s »", author=data["author"],
                 text=quoted)
    if type_ == "contribution.promoted":
        return _("Votre contribution « %(text)s » est retenue comme engagement.", text=quoted)
    if type_ == "contribution.merged":
        return _("Votre contribution « %(text)s » a été fusionnée avec une contribution "
                 "semblable.", text=quoted)
    if type_ == "contribution.declined":
        return _("Votre contribution « %(text)s » a été écartée. Motif : %(reason)s",
                 text=quoted, reason=data.get("reason") or "—")
    if type_ == "commitment.status":
        return _("L'engagement n° %(number)s « %(title)s » passe au statut « %(status)s ».",
                 number=data["number"], title=data["title"],
                 status=COMMITMENT_STATUS_LABELS.get(data["status"], data["status"]))
    if type_ == "commitment.measurement":
        return _("Nouvelle mesure pour l'engagement n° %(number)s « %(title)s » : "
                 "%(indicator)s = %(value)s", number=data["number"], title=data["title"],
                 indicator=data.get("indicator", ""), value=data.get("value", ""))
    if type_ == "commitment.measurement_due":
        return _("Mesure attendue pour l'engagement n° %(number)s « %(title)s » : "
                 "%(indicator)s (depuis le %(date)s)", number=data["number"],
                 title=data["title"], indicator=data["name"],
                 date=format_date(date.fromisoformat(data["due_on"]), "long"))
    if type_.startswith("workshop."):
        when = _when(data.get("starts_at"))
        if type_ == "workshop.planned":
            return _("Atelier prévu : « %(title)s », %(date)s", title=data["title"], date=when)
        if type_ == "workshop.changed":
            return _("Atelier modifié : « %(title)s », %(date)s", title=data["title"],
                     date=when)
        return _("Atelier annulé : « %(title)s »", title=data["title"])
    if type_ == "contract.version":
        return _("La version %(number)s du contrat est figée.", number=data["version"])
    return _("Le territoire passe en phase « %(phase)s ».",
             phase=PHASE_LABELS.get(data.get("phase"), data.get("phase")))


def _when(value: str | None) -> str:
    return format_datetime(datetime.fromisoformat(value), "EEEE d MMMM y, HH:mm") if value else ""


# --- preferences -------------------------------------------------------------------------

def preferences(user: User) -> dict[str, str]:
    chosen = dict(db.session.execute(sa.select(
        NotificationPreference.category, NotificationPreference.frequency).where(
        NotificationPreference.user_id == user.id)).all())
    return {category: chosen.get(category, default)
            for category, default in DEFAULT_FREQUENCIES.items()}


def set_preferences(user: User, data: PreferencesInput) -> dict[str, str]:
    """The categories given take these frequencies; the others keep theirs."""
    for category, frequency in data.notifications.model_dump(exclude_none=True).items():
        _set(user.id, category, frequency)
    db.session.commit()
    return preferences(user)


def _set(user_id: int, category: str, frequency: str) -> None:
    row = db.session.get(NotificationPreference, (user_id, category))
    if row is None:
        db.session.add(NotificationPreference(user_id=user_id, category=category,
                                              frequency=frequency))
    else:
        row.frequency = frequency


def _frequencies(user_ids: list[int], category: str) -> dict[int, str]:
    chosen = dict(db.session.execute(sa.select(
        NotificationPreference.user_id, NotificationPreference.frequency).where(
        NotificationPreference.category == category,
        NotificationPreference.user_id.in_(user_ids))).all())
    return {user_id: chosen.get(user_id, DEFAULT_FREQUENCIES[category])
            for user_id in user_ids}


# --- unsubscribing (RFC 8058) ------------------------------------------------------------

def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="concert.unsubscribe")


def unsubscribe_url(user_id: int, what: str) -> str:
    """A link that stops mails of category `what` (or of a whole digest, `daily` or
    `weekly`) for this person: signed, no sign-in needed, as one-click requires."""
    return mail.absolute_url(f"/notifications/unsubscribe/{_signer().dumps([user_id, what])}")


def unsubscription(token: Any) -> tuple[User, str]:
    """Whose and what the link stops; NotFound when the link is not ours."""
    try:
        user_id, what = _signer().loads(token)
    except (BadSignature, ValueError, TypeError):
        raise NotFound(_l("Lien de désinscription invalide.")) from None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or (what not in CATEGORIES and what not in ("daily", "weekly")):
        raise NotFound(_l("Lien de désinscription invalide."))
    return user, what


def unsubscribe(token: Any) -> tuple[User, list[str]]:
    """Sets that category to "never" (a digest's link: every category it gathered).
    Returns the person and the categories stopped."""
    user, what = unsubscription(token)
    categories = ([what] if what in CATEGORIES else
                  [c for c, f in preferences(user).items() if f == what])
    for category in categories:
        _set(user.id, category, "never")
    db.session.commit()
    return user, categories


# --- mailing them ------------------------------------------------------------------------

def mail_due() -> int:
    """Composes the notifications to mail at once into the outbox, each once: rows another
    process is taking are skipped (PostgreSQL), and each leaves `mail_pending` in the
    transaction that queues its mail. Checked again now: a member removed, a channel
    restricted or a preference changed since means no mail. Returns how many were queued."""
    queued = 0
    while True:
        batch = list(db.session.scalars(
            sa.select(Notification).where(Notification.mail_pending.is_(True))
            .order_by(Notification.id).limit(MAIL_BATCH).with_for_update(skip_locked=True)))
        if not batch:
            db.session.rollback()
            return queued
        for notification in batch:
            notification.mail_pending = False
            reader = _reader(notification)
            if reader is not None and _frequencies(
                    [reader.user_id], notification.category)[reader.user_id] == "immediate":
                _mail_notification(notification, reader)
                queued += 1
        db.session.commit()


def _reader(notification: Notification) -> Membership | None:
    """The recipient's membership, if they are still a member who may read it."""
    membership = db.session.scalar(sa.select(Membership).where(
        Membership.user_id == notification.user_id,
        Membership.territory_id == notification.territory_id))
    if membership is None:
        return None
    channel = db.session.get(Channel, notification.channel_id) if notification.channel_id else None
    if channel is not None and not audience.can_see_channel(Access.of_member(membership), channel):
        return None
    return membership


def _mail_notification(notification: Notification, reader: Membership) -> None:
    user, territory = reader.user, reader.territory
    language = mail.language_of(user)
    with force_locale(language):
        text = describe(notification.type, notification.data)
        subject = _("[%(territory)s] %(text)s", territory=territory.name, text=text)
        category = str(CATEGORY_LABELS[notification.category])
    message = mail.compose(
        user.email, "notification", language, subject,
        unsubscribe=unsubscribe_url(user.id, notification.category), text=text,
        url=mail.absolute_url(notification.data["url"]), territory=territory.name,
        category=category, preferences_url=mail.absolute_url("/notifications/preferences"))
    mail.enqueue(message, "notification", territory_id=territory.id)


# --- digests -----------------------------------------------------------------------------

def period_key(period: str, now: datetime) -> str:
    """The day (daily) or ISO week (weekly) a digest is for, in local time."""
    local = now.astimezone(_zone())
    if period == "daily":
        return local.date().isoformat()
    year, week, _day = local.isocalendar()
    return f"{year}-W{week:02d}"


def due_periods(now: datetime) -> list[str]:
    """The digests the scheduler sends at this moment: from DIGEST_HOUR, daily ones every
    day and weekly ones on Mondays."""
    local = now.astimezone(_zone())
    if local.hour < DIGEST_HOUR:
        return []
    return ["daily", "weekly"] if local.weekday() == 0 else ["daily"]


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def send_digests(period: str, now: datetime | None = None) -> int:
    """Each person who wants this period's digest gets it once for the period's key: the
    Digest row is claimed by inserting it (unique per person, period and key), in the
    transaction that queues the mail, so two processes never send the same one. Returns
    how many digests were mailed (a person with nothing new gets none)."""
    now = now or utcnow()
    key = period_key(period, now)
    sent = 0
    for user_id in _digest_readers(period, key):
        try:
            with db.session.begin_nested():
                db.session.add(Digest(user_id=user_id, period=period, key=key, created_at=now))
                db.session.flush()
        except IntegrityError:  # another process claimed it first
            db.session.rollback()
            continue
        if _mail_digest(db.session.get(User, user_id), period, now):
            sent += 1
        db.session.commit()
    return sent


def _digest_readers(period: str, key: str) -> list[int]:
    """Members who have not had this digest and leave at least one category to it (by
    their choice or by default)."""
    defaults = [c for c, f in DEFAULT_FREQUENCIES.items() if f == period]
    chose = sa.select(NotificationPreference.user_id).where(
        NotificationPreference.frequency == period)
    # Someone keeping a default of this period is someone who did not change it.
    keeps_default = sa.or_(sa.false(), *(
        ~sa.exists().where(NotificationPreference.user_id == User.id,
                           NotificationPreference.category == category)
        for category in defaults))
    had = sa.exists().where(Digest.user_id == User.id, Digest.period == period,
                            Digest.key == key)
    is_member = sa.exists().where(Membership.user_id == User.id)
    return list(db.session.scalars(sa.select(User.id).where(
        is_member, ~had, sa.or_(User.id.in_(chose), keeps_default)).order_by(User.id)))


def _mail_digest(user: User, period: str, now: datetime) -> bool:
    since = db.session.scalar(sa.select(sa.func.max(Digest.created_at)).where(
        Digest.user_id == user.id, Digest.period == period, Digest.created_at < now)
    ) or now - (timedelta(days=1) if period == "daily" else timedelta(days=7))
    categories = [c for c, f in preferences(user).items() if f == period]
    language = mail.language_of(user)
    with force_locale(language):
        sections = [s for s in (_digest_section(m, categories, since, now)
                                for m in db.session.scalars(sa.select(Membership).where(
                                    Membership.user_id == user.id).order_by(Membership.id)))
                    if s["notes"] or s["contributions"] or s["decisions"] or s["workshops"]]
        if not sections:
            return False
        subject = (_("Votre résumé quotidien concert") if period == "daily"
                   else _("Votre résumé hebdomadaire concert"))
    message = mail.compose(
        user.email, "digest", language, subject, unsubscribe=unsubscribe_url(user.id, period),
        sections=sections, period=period,
        preferences_url=mail.absolute_url("/notifications/preferences"))
    mail.enqueue(message, "digest")
    return True


def _digest_section(membership: Membership, categories: list[str], since: datetime,
                    now: datetime) -> dict:
    """What one territory has new for one member: their notifications of the digest's
    categories, the new needs and proposals, the decisions, the coming workshops. Only what
    this member may see (the audience rule)."""
    territory = membership.territory
    reader = Access.of_member(membership)
    visible = audience.visible_channel_ids(reader)
    notes = [(describe(n.type, n.data), mail.absolute_url(n.data["url"]))
             for n in db.session.scalars(sa.select(Notification).where(
                 _visible(membership.user), Notification.territory_id == territory.id,
                 Notification.category.in_(categories), Notification.created_at >= since,
                 Notification.created_at < now).order_by(Notification.id))]
    contributions = list(db.session.scalars(sa.select(Post).where(
        Post.territory_id == territory.id, Post.channel_id.in_(visible),
        Post.kind.in_(("need", "proposal")), Post.deleted_at.is_(None),
        Post.created_at >= since, Post.created_at < now).order_by(Post.id).limit(50)))
    decided_ids = list(db.session.scalars(sa.select(Event.post_id).where(
        audience.visible_events(reader), Event.type == "post.status",
        Event.created_at >= since, Event.created_at < now).order_by(Event.seq)))
    decisions = [p for p in audience.readable_posts(
        decided_ids, membership.organisation_kind).values()
        if p.status in ("promoted", "merged", "declined")]
    workshops = list(db.session.scalars(sa.select(Workshop).where(
        Workshop.territory_id == territory.id, Workshop.status == "planned",
        Workshop.starts_at >= now, Workshop.starts_at < now + COMING
    ).order_by(Workshop.starts_at)))
    slug = territory.slug
    return {
        "territory": territory.name, "url": mail.absolute_url(f"/t/{slug}/"),
        "notes": notes,
        "contributions": [_digest_post(slug, p) for p in contributions],
        "decisions": [{**_digest_post(slug, p), "status": p.status,
                       "reason": p.decline_reason} for p in decisions],
        "workshops": [{"title": w.title, "when": _when(w.starts_at.isoformat()),
                       "url": mail.absolute_url(f"/t/{slug}/workshops/{w.id}")}
                      for w in workshops],
    }


def _digest_post(slug: str, post: Post) -> dict:
    return {"kind": post.kind, "excerpt": excerpt(post.body),
            "organisation": post.author_organisation,
            "url": mail.absolute_url(_post_data_url(slug, post))}


# --- the scheduler -----------------------------------------------------------------------

def run_due(now: datetime | None = None) -> None:
    """One round: the notifications to mail, then the digests due."""
    now = now or utcnow()
    mail_due()
    periods = due_periods(now)
    today = now.astimezone(_zone()).date()
    if "daily" in periods and _reminded.get("on") != today:
        # Once a day per process (the rounds come every minute), before the daily digest
        # that carries them; the notifications made say which were told already.
        remind_due_measurements(today)
        _reminded["on"] = today
    for period in periods:
        send_digests(period, now)


def run_forever(app) -> None:
    """The mailer of a server process (started by `concert run`). Its first round runs at
    once: what was left to mail before a restart (or by `concert demo`) leaves now."""
    _wake.set()
    mail.every_round(app, _wake, POLL_SECONDS, run_due, "notification mail failed")
