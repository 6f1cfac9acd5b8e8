"""Live workshops: a facilitator plans a meeting (agenda, place, invited organisations),
may edit or cancel it until it starts, starts it, moves through the agenda under a
server-held timer, opens dot-votes on proposals, and closes it; the minutes are assembled
from what happened.

Roles: facilitators plan, edit, cancel, start, advance, open and close votes, and close.
Actors post and vote. Observers read and are counted present (attendance), but neither post
nor vote. The invited organisations are informative (the minutes compare them with
attendance): every member of the territory may follow a workshop."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Callable
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, format_datetime, gettext as _, lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from ..db import db
from ..documents import model as doc
from ..labels import KIND_LABELS
from ..models import AuditLog, Channel, Commitment, Connection, Membership, Post, User, utcnow
from ..models.workshops import AgendaItem, Attendance, Dot, Vote, Workshop, WorkshopPresence
from . import audience, audit, events, posts, presence, validation
from .access import Access, access_via, in_territory
from .errors import Conflict, Invalid, NotFound

MAX_ITEMS = 30
MAX_MINUTES = 480
MAX_DOTS = 10
MAX_VOTE_POSTS = 30
MAX_INVITED = 100
VOTER_ROLES = posts.CONTRIBUTOR_ROLES
DECISIONS = ("post.promote", "post.merge", "post.decline")


# --- reading ------------------------------------------------------------------------------

def workshop_access(user, workshop_id: Any) -> Access:
    return access_via(user, Workshop, workshop_id, _l("Atelier introuvable."))


def get(access: Access, workshop_id: Any) -> Workshop:
    return in_territory(access, Workshop, workshop_id, _l("Atelier introuvable."))


def list_workshops(access: Access) -> tuple[list[Workshop], list[Workshop]]:
    """(live and upcoming, soonest first; past and cancelled, latest first)."""
    items = db.session.scalars(sa.select(Workshop).where(
        Workshop.territory_id == access.territory.id).order_by(Workshop.starts_at)).all()
    upcoming = [w for w in items if w.status in ("planned", "live")]
    past = [w for w in reversed(items) if w.status in ("closed", "cancelled")]
    return upcoming, past


def current_item(workshop: Workshop) -> AgendaItem | None:
    if workshop.status != "live" or workshop.current_item is None:
        return None
    return workshop.agenda[workshop.current_item]


def serialise(workshop: Workshop, *, now: datetime | None = None,
              reader: Access | None = None) -> dict:
    """The workshop resource (SPEC), its votes' options worded for `reader` (without: what
    every member may read). `server_now` is given when asked (answers and pages, not
    stored events): clients take their clock's offset from it, so every screen shows the
    same remaining time."""
    return with_option_texts(_stored(workshop, now=now), audience.reader_kind(reader))


def _stored(workshop: Workshop, *, now: datetime | None = None) -> dict:
    item = current_item(workshop)
    data = {
        "id": workshop.id,
        "title": workshop.title,
        "starts_at": workshop.starts_at.isoformat(),
        "place": workshop.place,
        "online_url": workshop.online_url,
        "invited": list(workshop.invited),
        "status": workshop.status,
        "agenda": [{"id": i.id, "position": i.position, "title": i.title,
                    "minutes": i.minutes, "channel": i.channel_id} for i in workshop.agenda],
        "current_item": workshop.current_item if item else None,
        "current_agenda_item": item.id if item else None,
        "item_started_at": workshop.item_started_at.isoformat() if item else None,
        "item_ends_at": ((workshop.item_started_at + timedelta(minutes=item.minutes))
                         .isoformat() if item else None),
        "started_at": workshop.started_at.isoformat() if workshop.started_at else None,
        "closed_at": workshop.closed_at.isoformat() if workshop.closed_at else None,
        "cancelled_at": workshop.cancelled_at.isoformat() if workshop.cancelled_at else None,
        "cancel_reason": workshop.cancel_reason,
        "votes": [_stored_vote(v) for v in votes_of(workshop)],
    }
    if now is not None:
        data["server_now"] = now.isoformat()
    return data


def votes_of(workshop: Workshop) -> list[Vote]:
    return list(db.session.scalars(sa.select(Vote).where(Vote.workshop_id == workshop.id)
                                   .order_by(Vote.id)))


def serialise_vote(vote: Vote, reader: Access | None = None) -> dict:
    return _vote_texts(_stored_vote(vote), audience.reader_kind(reader))


@events.quotes_posts("workshop.started", "workshop.agenda", "workshop.closed",
                     "workshop.vote")
def with_option_texts(data: dict, kind: str | None) -> dict:
    """A workshop or vote event's options, worded for a reader of that organisation kind."""
    data = dict(data)
    if "votes" in data:
        data["votes"] = [_vote_texts(v, kind) for v in data["votes"]]
    if "vote" in data:
        data["vote"] = _vote_texts(data["vote"], kind)
    return data


def _vote_texts(vote: dict, kind: str | None) -> dict:
    """An option whose post was deleted, or whose channel is now hidden from the reader,
    keeps its dots and loses its words."""
    readable = audience.readable_posts([o["post"] for o in vote["options"]], kind)
    options = []
    for option in vote["options"]:
        post = readable.get(option["post"])
        options.append({"post": option["post"], "dots": option["dots"], "hidden": post is None,
                        "kind": post.kind if post else None,
                        "text": _excerpt(post) if post else "",
                        "organisation": post.author_organisation if post else ""})
    return {**vote, "options": options}


def _stored_vote(vote: Vote) -> dict:
    """Results are anonymous: dots per post, never who placed them. Options by post id:
    their words are resolved for each reader (_vote_texts)."""
    counts = dict(db.session.execute(
        sa.select(Dot.post_id, sa.func.count()).where(Dot.vote_id == vote.id)
        .group_by(Dot.post_id)).all())
    voters = db.session.scalar(sa.select(sa.func.count(sa.distinct(Dot.user_id)))
                               .where(Dot.vote_id == vote.id))
    options = [{"post": post_id, "dots": counts.get(post_id, 0)} for post_id in vote.post_ids]
    return {"id": vote.id, "question": vote.question, "dots": vote.dots, "status": vote.status,
            "agenda_item": vote.agenda_item_id, "opened_at": vote.opened_at.isoformat(),
            "closed_at": vote.closed_at.isoformat() if vote.closed_at else None,
            "options": options, "voters": voters or 0,
            "total": sum(counts.values())}


def open_vote_of(workshop: Workshop) -> Vote | None:
    return db.session.scalar(sa.select(Vote).where(Vote.workshop_id == workshop.id,
                                                   Vote.status == "open"))


def my_dots(access: Access, vote: Vote) -> dict[int, int]:
    """slot → post of this member's dots in a vote."""
    if access.user is None:
        return {}
    return dict(db.session.execute(sa.select(Dot.slot, Dot.post_id).where(
        Dot.vote_id == vote.id, Dot.user_id == access.user.id)).all())


def contributions(access: Access, workshop: Workshop, limit: int = 200) -> list[Post]:
    """Posts made from the workshop that this member may see, oldest first."""
    return list(db.session.scalars(sa.select(Post).where(
        Post.workshop_id == workshop.id, Post.deleted_at.is_(None),
        Post.channel_id.in_(audience.visible_channel_ids(access))).order_by(Post.seq.desc())
        .limit(limit)))[::-1]


# --- planning -----------------------------------------------------------------------------

def create(access: Access, data: dict) -> Workshop:
    access.require("facilitator")
    plan = _plan(access, data)
    agenda = plan.pop("agenda")
    workshop = Workshop(territory_id=access.territory.id, status="planned",
                        created_by_id=access.user.id if access.user else None, **plan)
    workshop.agenda = agenda
    db.session.add(workshop)
    db.session.commit()
    return workshop


def editable(access: Access, workshop_id: Any) -> Workshop:
    """A workshop its facilitators may still edit or cancel: a planned one."""
    access.require("facilitator")
    workshop = get(access, workshop_id)
    _require_planned(workshop)
    return workshop


def update(access: Access, workshop_id: Any, data: dict) -> Workshop:
    """Changes the fields given of a planned workshop; a new agenda replaces the old one as a
    whole (none of its items has started)."""
    access.require("facilitator")
    workshop = _locked(access, workshop_id)
    _require_planned(workshop)
    plan = _plan(access, data, workshop)
    before = _snapshot(workshop)
    agenda = plan.pop("agenda", None)
    for key, value in plan.items():
        setattr(workshop, key, value)
    if agenda is not None and [_item(i) for i in agenda] != before["agenda"]:
        workshop.agenda.clear()
        db.session.flush()  # the old positions go before the new ones take them
        workshop.agenda = agenda
    after = _snapshot(workshop)
    changed = [key for key in after if after[key] != before[key]]
    if changed:
        audit.record("workshop.update", actor=access.user, territory=access.territory,
                     obj=workshop, before={k: before[k] for k in changed},
                     after={k: after[k] for k in changed})
        # SPEC's event for a change of the workshop's plan; it carries the whole workshop.
        _announce(access, workshop, "workshop.agenda")
    db.session.commit()
    return workshop


def cancel(access: Access, workshop_id: Any, reason: Any = None) -> Workshop:
    """Calls off a planned workshop; the reason, if any, is shown on its page."""
    access.require("facilitator")
    workshop = _locked(access, workshop_id)
    _require_planned(workshop)
    reason = validation.text(reason, "reason", max_length=2000, required=False)
    workshop.status, workshop.cancelled_at = "cancelled", utcnow()
    workshop.cancel_reason = reason or None
    audit.record("workshop.cancel", actor=access.user, territory=access.territory,
                 obj=workshop, before={"status": "planned"},
                 after={"status": "cancelled", "reason": reason})
    # It will not take place: SPEC's end-of-workshop event, with status "cancelled".
    _announce(access, workshop, "workshop.closed")
    db.session.commit()
    return workshop


# --- running ------------------------------------------------------------------------------

def start(access: Access, workshop_id: Any) -> Workshop:
    access.require("facilitator")
    workshop = _locked(access, workshop_id)
    if workshop.status != "planned":
        raise Conflict({"live": _l("Cet atelier est déjà en cours."),
                        "closed": _l("Cet atelier est clos : il ne peut pas reprendre."),
                        "cancelled": _l("Cet atelier est annulé : il ne peut pas s'ouvrir.")
                        }[workshop.status], code=f"workshop_{workshop.status}")
    now = utcnow()
    workshop.status, workshop.started_at = "live", now
    workshop.current_item, workshop.item_started_at = 0, now
    for membership in db.session.scalars(sa.select(Membership).where(  # waiting on the page
            Membership.territory_id == workshop.territory_id,
            Membership.user_id.in_(_present_ids(workshop)))):
        attend(workshop, membership)
    _announce(access, workshop, "workshop.started")
    db.session.commit()
    return workshop


def move(access: Access, workshop_id: Any, to: Any) -> Workshop:
    """To the "next" or "previous" agenda item, or to a position; its timer starts again."""
    access.require("facilitator")
    workshop = _live(access, workshop_id)
    last = len(workshop.agenda) - 1
    if to == "next":
        if workshop.current_item >= last:
            raise Conflict(_l("C'est le dernier point de l'ordre du jour."), field="to")
        position = workshop.current_item + 1
    elif to == "previous":
        if workshop.current_item <= 0:
            raise Conflict(_l("C'est le premier point de l'ordre du jour."), field="to")
        position = workshop.current_item - 1
    else:
        if isinstance(to, bool) or not isinstance(to, int) or not 0 <= to <= last:
            raise Invalid(_l("« to » : « next », « previous » ou une position de l'ordre du "
                             "jour (0 à %(last)d).", last=last), field="to")
        position = to
    workshop.current_item, workshop.item_started_at = position, utcnow()
    _announce(access, workshop, "workshop.agenda")
    db.session.commit()
    return workshop


def close(access: Access, workshop_id: Any) -> Workshop:
    access.require("facilitator")
    workshop = _locked(access, workshop_id)
    if workshop.status != "live":
        raise Conflict({"planned": _l("Cet atelier n'a pas commencé."),
                        "closed": _l("Cet atelier est déjà clos."),
                        "cancelled": _l("Cet atelier est annulé.")}[workshop.status],
                       code=f"workshop_{workshop.status}")
    now = utcnow()
    for vote in db.session.scalars(sa.select(Vote).where(Vote.workshop_id == workshop.id,
                                                          Vote.status == "open")):
        vote.status, vote.closed_at = "closed", now
        _announce_vote(access, workshop, vote)
    db.session.execute(sa.update(Attendance).where(Attendance.workshop_id == workshop.id,
                                                   Attendance.user_id.in_(_present_ids(workshop)))
                       .values(last_seen=now))
    workshop.status, workshop.closed_at = "closed", now
    workshop.current_item = workshop.item_started_at = None
    _announce(access, workshop, "workshop.closed")
    db.session.commit()
    return workshop


def tag_for_post(access: Access, workshop_id: Any, agenda_item_id: Any) -> tuple[int, int]:
    """(workshop id, agenda item id) for a post made from a live workshop's page: the
    workshop must be of this territory and live, and the item, if named, the current one."""
    workshop = get(access, workshop_id if validation.is_id(workshop_id) else None)
    item = current_item(workshop)
    if item is None:
        raise Conflict(_l("Cet atelier n'est pas en cours."), field="workshop")
    if agenda_item_id not in (None, "") and validation.integer(
            agenda_item_id, "agenda_item") != item.id:
        raise Conflict(_l("Ce point de l'ordre du jour n'est plus en cours."),
                       field="agenda_item")
    return workshop.id, item.id


# --- dot-voting ---------------------------------------------------------------------------

def open_vote(access: Access, workshop_id: Any, data: dict) -> Vote:
    access.require("facilitator")
    workshop = _live(access, workshop_id)
    if not isinstance(data, dict):
        raise Invalid(_l("Objet attendu."))
    if open_vote_of(workshop) is not None:
        raise Conflict(_l("Un vote est déjà ouvert : clôturez-le d'abord."))
    question = validation.text(data.get("question") or _("Priorités"), "question",
                               max_length=300)
    dots = validation.integer(data.get("dots", 3), "dots")
    if not 1 <= dots <= MAX_DOTS:
        raise Invalid(_l("Entre 1 et %(max)d points par participant.", max=MAX_DOTS),
                      field="dots")
    wanted = data.get("posts")
    if (not isinstance(wanted, list) or not 2 <= len(set(map(str, wanted))) <= MAX_VOTE_POSTS
            or not all(validation.is_id(v) for v in wanted)):
        raise Invalid(_l("Choisissez de 2 à %(max)d contributions (besoins ou propositions).",
                         max=MAX_VOTE_POSTS),
                      field="posts")
    post_ids = []
    for post_id in dict.fromkeys(wanted):
        post = posts.get_post(access, post_id)
        if (post.kind not in posts.CONTRIBUTION_KINDS or post.deleted_at is not None
                or post.status not in ("open", "promoted")):
            raise Invalid(_l("La contribution n° %(id)d ne peut pas être soumise au vote : "
                             "seuls les besoins et propositions ouverts ou promus le "
                             "peuvent.", id=post.id),
                          field="posts")
        if not audience.open_to_all(post.channel):
            raise Invalid(_l("La contribution n° %(id)d est dans un canal restreint : tous les "
                             "participants ne la voient pas.", id=post.id), field="posts")
        post_ids.append(post.id)
    item = current_item(workshop)
    vote = Vote(workshop_id=workshop.id, agenda_item_id=item.id if item else None,
                question=question, dots=dots, post_ids=post_ids, status="open")
    db.session.add(vote)
    db.session.flush()
    _announce_vote(access, workshop, vote)
    db.session.commit()
    return vote


def place_dot(access: Access, workshop_id: Any, vote_id: Any, post_id: Any,
              slot: Any = None) -> Vote:
    """Places one of the member's dots on a post of the open vote. With `slot` (0 to
    dots−1), that dot is placed or moved: sending it again changes nothing. Without, the
    first free dot is used."""
    access.require(*VOTER_ROLES)
    workshop, vote = _open(access, workshop_id, vote_id)
    if not validation.is_id(post_id) or post_id not in vote.post_ids:
        raise Invalid(_l("Cette contribution n'est pas soumise à ce vote."), field="post")
    mine = my_dots(access, vote)
    if slot in (None, ""):
        free = [s for s in range(vote.dots) if s not in mine]
        if not free:
            raise Conflict(_l("Vous avez placé tous vos points (%(n)d) : déplacez-en un.",
                              n=vote.dots), code="no_dot_left", field="slot")
        slot = free[0]
    slot = validation.integer(slot, "slot")
    if not 0 <= slot < vote.dots:
        raise Invalid(_l("Vous avez %(n)d points (0 à %(last)d).", n=vote.dots,
                         last=vote.dots - 1), field="slot")
    if mine.get(slot) == post_id:
        return vote
    try:
        with db.session.begin_nested():
            dot = db.session.get(Dot, (vote.id, access.user.id, slot))
            if dot is None:
                db.session.add(Dot(vote_id=vote.id, user_id=access.user.id, slot=slot,
                                   post_id=post_id))
            else:
                dot.post_id, dot.placed_at = post_id, utcnow()
            db.session.flush()
    except IntegrityError:  # the same dot placed at the same moment: it is one dot
        db.session.execute(sa.update(Dot).where(
            Dot.vote_id == vote.id, Dot.user_id == access.user.id, Dot.slot == slot)
            .values(post_id=post_id, placed_at=utcnow()))
    _announce_vote(access, workshop, vote)
    db.session.commit()
    return vote


def remove_dot(access: Access, workshop_id: Any, vote_id: Any, slot: Any) -> Vote:
    access.require(*VOTER_ROLES)
    workshop, vote = _open(access, workshop_id, vote_id)
    slot = validation.integer(slot, "slot")
    deleted = db.session.execute(sa.delete(Dot).where(
        Dot.vote_id == vote.id, Dot.user_id == access.user.id, Dot.slot == slot)).rowcount
    if deleted:
        _announce_vote(access, workshop, vote)
    db.session.commit()
    return vote


def close_vote(access: Access, workshop_id: Any, vote_id: Any) -> Vote:
    access.require("facilitator")
    workshop, vote = _open(access, workshop_id, vote_id)
    vote.status, vote.closed_at = "closed", utcnow()
    _announce_vote(access, workshop, vote)
    db.session.commit()
    return vote


def get_vote(access: Access, workshop_id: Any, vote_id: Any) -> Vote:
    workshop = get(access, workshop_id)
    vote = db.session.get(Vote, vote_id) if validation.is_id(vote_id) else None
    if vote is None or vote.workshop_id != workshop.id:
        raise NotFound(_l("Vote introuvable."))
    return vote


# --- presence -----------------------------------------------------------------------------

def enter(access: Access, workshop_id: Any, sid: str) -> list[dict]:
    """A connection shows the workshop's page: present now, and, while the workshop is
    live, counted in its attendance."""
    workshop = get(access, workshop_id)
    if db.session.get(WorkshopPresence, (sid, workshop.id)) is None:
        db.session.add(WorkshopPresence(sid=sid, workshop_id=workshop.id,
                                        user_id=access.user.id,
                                        territory_id=access.territory.id))
    if workshop.status == "live":
        attend(workshop, access.membership)
    db.session.commit()
    present = present_now(workshop)
    _announce_presence(access.territory, workshop, access.membership, True, present)
    return present


def leave(sid: str, workshop_id: int | None = None) -> None:
    """A connection left the workshop's page (or closed): the others' lists drop the
    person once their last connection there has gone."""
    query = sa.select(WorkshopPresence).where(WorkshopPresence.sid == sid)
    if workshop_id is not None:
        query = query.where(WorkshopPresence.workshop_id == workshop_id)
    rows = db.session.scalars(query).all()
    gone = [(row.workshop_id, row.user_id) for row in rows]
    for row in rows:
        db.session.delete(row)
    db.session.flush()
    now = utcnow()
    for w_id, user_id in gone:
        workshop = db.session.get(Workshop, w_id)
        if workshop is not None and workshop.status == "live":
            db.session.execute(sa.update(Attendance).where(
                Attendance.workshop_id == w_id, Attendance.user_id == user_id)
                .values(last_seen=now))
    db.session.commit()
    for w_id, user_id in gone:
        workshop = db.session.get(Workshop, w_id)
        if workshop is None:
            continue
        membership = db.session.scalar(sa.select(Membership).where(
            Membership.territory_id == workshop.territory_id, Membership.user_id == user_id))
        present = present_now(workshop)
        if membership is not None and user_id not in {p["id"] for p in present}:
            _announce_presence(membership.territory, workshop, membership, False, present)


def present_now(workshop: Workshop) -> list[dict]:
    """Members whose connection shows the workshop now, on any server process."""
    rows = db.session.execute(
        sa.select(User.id, User.name, Membership.organisation, Membership.organisation_kind)
        .join(WorkshopPresence, WorkshopPresence.user_id == User.id)
        .join(Connection, sa.and_(Connection.sid == WorkshopPresence.sid,
                                  Connection.territory_id == WorkshopPresence.territory_id))
        .join(Membership, sa.and_(Membership.user_id == User.id,
                                  Membership.territory_id == workshop.territory_id))
        .where(WorkshopPresence.workshop_id == workshop.id,
               Connection.seen_at > utcnow() - presence.STALE)
        .distinct().order_by(User.name))
    return [{"id": uid, "name": name, "organisation": org, "organisation_kind": kind}
            for uid, name, org, kind in rows]


def attendance(workshop: Workshop) -> list[Attendance]:
    return list(db.session.scalars(sa.select(Attendance).where(
        Attendance.workshop_id == workshop.id).order_by(Attendance.organisation)))


# --- minutes ------------------------------------------------------------------------------

def minutes(access: Access, workshop_id: Any) -> dict:
    """The minutes of a closed workshop, as the document model (documents/model.py), as
    this member may read them: contributions and decisions of channels hidden from them
    are left out."""
    workshop = get(access, workshop_id)
    if workshop.status != "closed":
        raise Conflict(_l("Le compte rendu est établi à la clôture de l'atelier."),
                       code="workshop_not_closed")
    with force_locale("fr"):  # a document of the concertation, like the contract: in French
        return _minutes(access, workshop)


def _minutes(access: Access, workshop: Workshop) -> dict:
    territory = access.territory
    visible = set(audience.visible_channel_ids(access))
    sections = [
        _informations(workshop),
        _attendance_section(workshop),
        doc.section("agenda", "3", _("Ordre du jour"), [doc.table(
            _("Ordre du jour"), [_("Point"), _("Durée prévue (min)"), _("Canal")],
            [[f"{i.position + 1}. {i.title}", i.minutes, _channel_name(i.channel_id)]
             for i in workshop.agenda])]),
        _contributions_section(workshop, visible),
        _votes_section(access, workshop),
        _decisions_section(workshop, territory, visible),
    ]
    return doc.document(
        "minutes", _("Compte rendu — %(title)s", title=workshop.title), territory.name,
        [(_("Atelier"), workshop.title), (_("Date"), _when(workshop.starts_at))], sections,
        lang="fr")


def _informations(workshop: Workshop) -> dict:
    items = [(_("Date prévue"), _when(workshop.starts_at)),
             (_("Lieu"), workshop.place or "—")]
    if workshop.online_url:
        items.append((_("En ligne"), workshop.online_url))
    items += [(_("Ouverture"), _when(workshop.started_at)),
              (_("Clôture"), _when(workshop.closed_at))]
    if workshop.invited:
        items.append((_("Organisations invitées"), ", ".join(workshop.invited)))
    return doc.section("informations", "1", _("Informations"), [doc.fields(items)])


def _attendance_section(workshop: Workshop) -> dict:

    by_org: dict[tuple[str, str], list[str]] = {}
    names = dict(db.session.execute(sa.select(User.id, User.name).join(
        Attendance, Attendance.user_id == User.id).where(
        Attendance.workshop_id == workshop.id)).all())
    for row in attendance(workshop):
        by_org.setdefault((row.organisation, row.organisation_kind), []).append(
            names.get(row.user_id, ""))
    rows = [[org, str(KIND_LABELS.get(kind, kind)), len(people), ", ".join(sorted(people))]
            for (org, kind), people in sorted(by_org.items())]
    blocks = [doc.table(_("Participation par organisation"),
                        [_("Organisation"), _("Type"), _("Présents"), _("Participants")], rows)]
    if not rows:
        blocks = [doc.paragraph(_("Aucune présence enregistrée."))]
    present_orgs = {org.casefold() for org, _kind in by_org} | {
        str(KIND_LABELS.get(kind, kind)).casefold() for _org, kind in by_org} | {
        kind for _org, kind in by_org}
    absent = [name for name in workshop.invited if name.casefold() not in present_orgs]
    if absent:
        blocks.append(doc.paragraph(_("Invitées, non représentées : %(names)s.",
                                      names=", ".join(absent))))
    return doc.section("attendance", "2", _("Participation"), blocks)


def _contributions_section(workshop: Workshop, visible: set[int]) -> dict:
    rows = db.session.scalars(sa.select(Post).where(
        Post.workshop_id == workshop.id, Post.deleted_at.is_(None),
        Post.channel_id.in_(visible)).order_by(Post.seq)).all()
    subsections = []
    for item in workshop.agenda:
        mine = [p for p in rows if p.agenda_item_id == item.id]
        blocks = ([doc.bullet_list(_contribution_line(p) for p in mine)] if mine
                  else [doc.paragraph(_("Aucune contribution."))])
        subsections.append(doc.section(f"item-{item.position + 1}", f"4.{item.position + 1}",
                                       item.title, blocks))
    return doc.section("contributions", "4", _("Contributions par point"),
                       sections=subsections)


def _contribution_line(post: Post) -> str:
    kinds = {"message": _("Message"), "need": _("Besoin"), "proposal": _("Proposition")}
    author = post.author.name if post.author else ""
    return f"[{kinds[post.kind]}] n° {post.id} — {post.author_organisation} ({author}) : " \
           f"{_excerpt(post, 400)}"


def _votes_section(access: Access, workshop: Workshop) -> dict:
    blocks = []
    for vote in votes_of(workshop):
        data = serialise_vote(vote, access)
        ranked = sorted(data["options"], key=lambda o: -o["dots"])
        blocks.append(doc.table(
            _("%(question)s — %(dots)d point(s) par participant, %(voters)d votant(s)",
              question=vote.question, dots=vote.dots, voters=data["voters"]),
            [_("Contribution"), _("Organisation"), _("Points")],
            [[f"n° {o['post']} — {o['text']}", o["organisation"], o["dots"]] for o in ranked]))
    return doc.section("votes", "5", _("Votes"),
                       blocks or [doc.paragraph(_("Aucun vote pendant l'atelier."))])


def _decisions_section(workshop: Workshop, territory, visible: set[int]) -> dict:
    entries = db.session.scalars(sa.select(AuditLog).where(
        AuditLog.territory_id == territory.id, AuditLog.action.in_(DECISIONS),
        AuditLog.object_type == "post",
        AuditLog.created_at >= workshop.started_at,
        AuditLog.created_at <= workshop.closed_at).order_by(AuditLog.id)).all()
    lines, linked = [], {}
    for entry in entries:
        post = db.session.get(Post, entry.object_id) if entry.object_id else None
        if post is None or post.channel_id not in visible:
            continue
        after = entry.after or {}
        what = f"n° {post.id} « {_excerpt(post, 120)} »"
        if entry.action == "post.promote":
            commitment = db.session.get(Commitment, after.get("commitment") or 0)
            if commitment is None:
                continue
            linked[commitment.id] = commitment
            lines.append(_("Promotion : %(what)s → engagement n° %(n)d « %(title)s »",
                           what=what, n=commitment.number, title=commitment.title))
        elif entry.action == "post.merge":
            lines.append(_("Fusion : %(what)s fusionnée dans n° %(into)s", what=what,
                           into=after.get("into")))
        else:
            lines.append(_("Refus : %(what)s — motif : %(reason)s", what=what,
                           reason=after.get("reason") or ""))
    blocks = [doc.bullet_list(lines)] if lines else [
        doc.paragraph(_("Aucune décision d'animation pendant l'atelier."))]
    if linked:
        blocks.append(doc.table(
            _("Engagements issus de l'atelier"), [_("N°"), _("Engagement"), _("Lien")],
            [[c.number, c.title, f"/t/{territory.slug}/commitments/{c.id}"]
             for c in sorted(linked.values(), key=lambda c: c.number)]))
    return doc.section("decisions", "6", _("Décisions : promotions, fusions, refus"), blocks)


# --- helpers ------------------------------------------------------------------------------

def _locked(access: Access, workshop_id: Any) -> Workshop:
    """The workshop, its row locked until commit: two facilitators pressing "next" at the
    same moment move one item each, in turn."""
    workshop = get(access, workshop_id)
    db.session.execute(sa.select(Workshop).where(Workshop.id == workshop.id)
                       .with_for_update().execution_options(populate_existing=True)).one()
    return workshop


def _require_planned(workshop: Workshop) -> None:
    if workshop.status != "planned":
        raise Conflict({
            "live": _l("Cet atelier est en cours : il ne peut plus être modifié ni annulé."),
            "closed": _l("Cet atelier est clos : il ne peut plus être modifié ni annulé."),
            "cancelled": _l("Cet atelier est annulé : il ne peut plus être modifié."),
        }[workshop.status], code=f"workshop_{workshop.status}")


def _live(access: Access, workshop_id: Any) -> Workshop:
    workshop = _locked(access, workshop_id)
    if workshop.status != "live":
        raise Conflict(_l("Cet atelier n'est pas en cours."), code=f"workshop_{workshop.status}")
    return workshop


def _open(access: Access, workshop_id: Any, vote_id: Any) -> tuple[Workshop, Vote]:
    vote = get_vote(access, workshop_id, vote_id)
    db.session.execute(sa.select(Vote).where(Vote.id == vote.id).with_for_update()
                       .execution_options(populate_existing=True)).one()
    if vote.status != "open":
        raise Conflict(_l("Ce vote est clos."), code="vote_closed")
    return db.session.get(Workshop, vote.workshop_id), vote


def _announce(access: Access, workshop: Workshop, type_: str) -> None:
    db.session.flush()
    events.record(access.territory, type_, _stored(workshop))


def _announce_vote(access: Access, workshop: Workshop, vote: Vote) -> None:
    db.session.flush()
    events.record(access.territory, "workshop.vote",
                  {"workshop": workshop.id, "vote": _stored_vote(vote)})


def _announce_presence(territory, workshop: Workshop, membership: Membership, present: bool,
                       people: list[dict]) -> None:
    """Ephemeral, to the connections showing this workshop only (the chat's presence list
    is about the territory)."""
    events._emit(_presence_message(territory, workshop, membership, present, people),
                 [audience.workshop_room(workshop.id)])


def _presence_message(territory, workshop: Workshop, membership: Membership, present: bool,
                      people: list[dict]) -> dict:
    user = membership.user
    return {"territory": territory.slug, "seq": None, "type": "presence", "data": {
        "workshop": workshop.id, "online": present, "present": people,
        "user": {"id": user.id, "name": user.name, "organisation": membership.organisation,
                 "organisation_kind": membership.organisation_kind}}}


def forget(membership: Membership) -> Callable[[], None]:
    """Within the transaction removing a member: their connections stop showing the
    territory's workshops. Returns what to do once committed (no SQL then): leave the
    workshops' rooms, and tell those still there that the member has gone."""
    rows = db.session.scalars(sa.select(WorkshopPresence).where(
        WorkshopPresence.user_id == membership.user_id,
        WorkshopPresence.territory_id == membership.territory_id)).all()
    for row in rows:
        db.session.delete(row)
    db.session.flush()
    leaving = [(row.sid, audience.workshop_room(row.workshop_id)) for row in rows]
    messages = []
    for workshop_id in sorted({row.workshop_id for row in rows}):
        workshop = db.session.get(Workshop, workshop_id)
        messages.append((_presence_message(membership.territory, workshop, membership, False,
                                           present_now(workshop)),
                         [audience.workshop_room(workshop_id)]))

    def after_commit() -> None:
        from ..extensions import socketio

        for sid, room in leaving:
            socketio.server.leave_room(sid, room, namespace="/")
        for message, rooms in messages:
            events._emit(message, rooms)

    return after_commit


def attend(workshop: Workshop, membership: Membership | None) -> None:
    """Counts the member present at a live workshop (first and last seen)."""
    if membership is None:
        return
    now = utcnow()
    row = db.session.get(Attendance, (workshop.id, membership.user_id))
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.add(Attendance(
                    workshop_id=workshop.id, user_id=membership.user_id,
                    organisation=membership.organisation,
                    organisation_kind=membership.organisation_kind, first_seen=now,
                    last_seen=now))
                db.session.flush()
        except IntegrityError:  # their other tab got there first
            pass
    else:
        row.last_seen = now


def _present_ids(workshop: Workshop) -> list[int]:
    return [p["id"] for p in present_now(workshop)]


def _channel_name(channel_id: int | None) -> str:
    channel = db.session.get(Channel, channel_id) if channel_id else None
    return channel.name if channel else "—"


def _excerpt(post: Post, length: int = 160) -> str:
    text = " ".join(post.body.split())
    return text if len(text) <= length else text[:length - 1] + "…"


def _when(value: datetime | None) -> str:
    return format_datetime(value, "d MMMM y, HH:mm") if value else "—"


def _plan(access: Access, data: Any, workshop: Workshop | None = None) -> dict:
    """The checked planning fields of a new workshop (all required), or of an edit of a
    planned `workshop` (those given; the others keep their value)."""
    if not isinstance(data, dict):
        raise Invalid(_l("Objet attendu."))

    def given(key: str) -> bool:
        return workshop is None or key in data

    plan: dict[str, Any] = {}
    if given("title"):
        plan["title"] = validation.text(data.get("title"), "title", max_length=200)
    if given("starts_at"):
        plan["starts_at"] = _datetime(data.get("starts_at"), "starts_at")
    if given("place"):
        plan["place"] = validation.text(data.get("place"), "place", max_length=200,
                                        required=False)
    if given("online_url"):
        plan["online_url"] = _url(data.get("online_url"))
    venue = {"place": workshop.place, "online_url": workshop.online_url} if workshop else {}
    venue.update((k, plan[k]) for k in ("place", "online_url") if k in plan)
    if not venue.get("place") and not venue.get("online_url"):
        raise Invalid(_l("Indiquez un lieu, ou un lien pour un atelier en ligne."),
                      field="place")
    if given("invited"):
        plan["invited"] = _texts(data.get("invited", []), "invited", max_items=MAX_INVITED,
                                 max_length=200)
    if given("agenda"):
        plan["agenda"] = _agenda(access, data.get("agenda"))
    return plan


def _snapshot(workshop: Workshop) -> dict:
    """What a facilitator plans, as the audit trail records it before and after an edit."""
    return {"title": workshop.title, "starts_at": workshop.starts_at.isoformat(),
            "place": workshop.place, "online_url": workshop.online_url,
            "invited": list(workshop.invited), "agenda": [_item(i) for i in workshop.agenda]}


def _item(item: AgendaItem) -> dict:
    return {"title": item.title, "minutes": item.minutes, "channel": item.channel_id}


def _datetime(value: Any, field: str) -> datetime:
    """ISO 8601; without an offset, the territory's local time (CONCERT_TIMEZONE)."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid(_l("Date et heure attendues (AAAA-MM-JJTHH:MM)."), field=field)
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(_l("Date et heure attendues (AAAA-MM-JJTHH:MM)."), field=field) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    if not 2000 <= parsed.year <= 2100:
        raise Invalid(_l("Date hors limites."), field=field)
    return parsed.astimezone(timezone.utc)


def _url(value: Any) -> str:
    url = validation.text(value, "online_url", max_length=500, required=False)
    if url and not url.lower().startswith(("https://", "http://")):
        raise Invalid(_l("Le lien doit commencer par https:// ou http://."), field="online_url")
    return url


def _texts(value: Any, field: str, *, max_items: int, max_length: int) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > max_items:
        raise Invalid(_l("Liste de textes attendue (%(max)d au plus).", max=max_items),
                      field=field)
    texts = [validation.text(v, field, max_length=max_length, required=False) for v in value]
    return list(dict.fromkeys(t for t in texts if t))


def _agenda(access: Access, value: Any) -> list[AgendaItem]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_ITEMS:
        raise Invalid(_l("L'ordre du jour compte de 1 à %(max)d points.", max=MAX_ITEMS),
                      field="agenda")
    items = []
    for position, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise Invalid(_l("Chaque point : {title, minutes, channel}."), field="agenda")
        title = validation.text(entry.get("title"), "agenda", max_length=200)
        minutes = validation.integer(entry.get("minutes"), "agenda")
        if not 1 <= minutes <= MAX_MINUTES:
            raise Invalid(_l("Durée d'un point : de 1 à %(max)d minutes.", max=MAX_MINUTES),
                          field="agenda")
        channel_id = None
        if entry.get("channel") not in (None, ""):
            channel = db.session.get(Channel, validation.integer(entry["channel"], "agenda"))
            if channel is None or channel.territory_id != access.territory.id:
                raise NotFound(_l("Canal introuvable."), field="agenda")
            if not audience.open_to_all(channel):
                raise Invalid(_l("Un point d'atelier porte sur un canal ouvert à tous."),
                              field="agenda")
            channel_id = channel.id
        items.append(AgendaItem(position=position, title=title, minutes=minutes,
                                channel_id=channel_id))
    return items
