"""The minutes of a closed workshop, as the document model (documents/model.py)."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale, gettext as _, lazy_gettext as _l

from ...db import db
from ...documents import model as doc
from ...labels import KIND_LABELS, author_name
from ...models import AuditLog, Commitment, Post, User
from ...models.workshops import Attendance, Workshop
from .. import audience
from ..access import Access
from ..errors import Conflict
from .base import DECISIONS, channel_name, excerpt, get, when
from .presence import attendance
from .serialisation import serialise_vote, votes_of


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
            [[f"{i.position + 1}. {i.title}", i.minutes, channel_name(i.channel_id)]
             for i in workshop.agenda])]),
        _contributions_section(workshop, visible),
        _votes_section(access, workshop),
        _decisions_section(workshop, territory, visible),
    ]
    if workshop.attachments:
        sections.append(doc.section("annexes", str(len(sections) + 1), _("Annexes"), [
            doc.bullet_list(_("Annexe %(n)d — %(name)s", n=n, name=file.name)
                            for n, file in enumerate(workshop.attachments, start=1))]))
    return doc.document(
        "minutes", _("Compte rendu — %(title)s", title=workshop.title), territory.name,
        [(_("Atelier"), workshop.title), (_("Date"), when(workshop.starts_at))], sections,
        lang="fr")


def _informations(workshop: Workshop) -> dict:
    items = [(_("Date prévue"), when(workshop.starts_at)),
             (_("Lieu"), workshop.place or "—")]
    if workshop.online_url:
        items.append((_("En ligne"), workshop.online_url))
    items += [(_("Ouverture"), when(workshop.started_at)),
              (_("Clôture"), when(workshop.closed_at))]
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
    author = author_name(post.author)
    return f"[{kinds[post.kind]}] n° {post.id} — {post.author_organisation} ({author}) : " \
           f"{excerpt(post, 400)}"


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
        what = f"n° {post.id} « {excerpt(post, 120)} »"
        if entry.action == "post.promote":
            commitment = db.session.get(Commitment, after.get("commitment") or 0)
            if commitment is None:
                continue
            linked[commitment.id] = commitment
            lines.append(_("Retenue : %(what)s → engagement n° %(n)d « %(title)s »",
                           what=what, n=commitment.number, title=commitment.title))
        elif entry.action == "post.merge":
            lines.append(_("Fusion : %(what)s fusionnée dans n° %(into)s", what=what,
                           into=after.get("into")))
        else:
            lines.append(_("Écartée : %(what)s — motif : %(reason)s", what=what,
                           reason=after.get("reason") or ""))
    blocks = [doc.bullet_list(lines)] if lines else [
        doc.paragraph(_("Aucune décision d'animation pendant l'atelier."))]
    if linked:
        blocks.append(doc.table(
            _("Engagements issus de l'atelier"), [_("N°"), _("Engagement"), _("Lien")],
            [[c.number, c.title, f"/t/{territory.slug}/commitments/{c.id}"]
             for c in sorted(linked.values(), key=lambda c: c.number)]))
    return doc.section("decisions", "6",
                       _("Décisions : contributions retenues, fusionnées, écartées"), blocks)
