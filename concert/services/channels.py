"""Channels (themes) of a territory's workspace."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..db import db
from ..models import Channel, Territory
from ..schemas.workspace import ChannelChanges, ChannelInput
from . import audience, audit
from .errors import Conflict, NotFound
from .access import Access, in_territory

# The defaults every new territory starts with (SPEC), in this order.
DEFAULT_CHANNELS = (
    ("Prévention de la délinquance", "Actions de prévention, publics exposés, récidive."),
    ("Tranquillité publique", "Incivilités, nuisances, occupation de l'espace public."),
    ("Stupéfiants", "Points de deal, trafics, actions de démantèlement."),
    ("Violences intrafamiliales", "Repérage, accompagnement des victimes, prise en charge des auteurs."),
    ("Transports", "Sécurité dans les réseaux, gares et pôles d'échanges."),
    ("Habitat social", "Sécurité des résidences, troubles de voisinage, partenariats bailleurs."),
    ("Vidéoprotection", "Implantation, raccordement, exploitation des images."),
    ("Jeunesse et milieu scolaire", "Abords des établissements, harcèlement, décrochage."),
    ("Coordination police municipale / forces de l'État",
     "Convention de coordination des interventions de la police municipale et des forces de "
     "sécurité de l'État, patrouilles communes, échanges d'information."),
)


def create_defaults(territory: Territory) -> None:
    """Called when a territory is created, in the same transaction."""
    for position, (name, description) in enumerate(DEFAULT_CHANNELS):
        db.session.add(Channel(territory_id=territory.id, name=name, description=description,
                               position=position))


def list_channels(access: Access, *, include_archived: bool = True,
                  readable: bool = False) -> list[Channel]:
    """The channels this member may see (facilitators also see the restricted ones they
    manage, by name only: their posts stay hidden by the audience rule); with `readable`,
    only those whose posts they may read."""
    query = sa.select(Channel).where(Channel.territory_id == access.territory.id)
    if not include_archived:
        query = query.where(Channel.archived.is_(False))
    channels = db.session.scalars(query.order_by(Channel.position, Channel.id)).all()
    return [c for c in channels if (access.is_facilitator and not readable)
            or audience.can_see_channel(access, c)]


def get_channel(access: Access, channel_id: Any, *, for_posting: bool = False) -> Channel:
    """A channel this member may read (404 otherwise, also for other territories)."""
    channel = in_territory(access, Channel, channel_id, _l("Canal introuvable."), "channel")
    if not audience.can_see_channel(access, channel):
        raise NotFound(_l("Canal introuvable."), field="channel")
    if for_posting and channel.archived:
        raise Conflict(_l("Ce canal est archivé : il n'accepte plus de messages."),
                       field="channel")
    return channel


def create_channel(access: Access, data: ChannelInput) -> Channel:
    access.require("facilitator")
    channel = Channel(
        territory_id=access.territory.id,
        name=_unique_name(access, data.name),
        description=data.description,
        restricted_to=data.restricted_to,
        position=(db.session.scalar(sa.select(sa.func.max(Channel.position)).where(
            Channel.territory_id == access.territory.id)) or 0) + 1,
    )
    db.session.add(channel)
    db.session.flush()
    audit.record("channel.create", actor=access.user, territory=access.territory, obj=channel,
                 after=serialise(channel))
    db.session.commit()
    return channel


def update_channel(access: Access, channel_id: Any, data: ChannelChanges) -> Channel:
    """Rename, describe, archive / unarchive (facilitators); restrict / open (a platform
    admin, or a facilitator who can see the channel: nobody opens a channel to themselves)."""
    access.require("facilitator", admin=True)
    channel = in_territory(access, Channel, channel_id, _l("Canal introuvable."))
    changes = data.model_fields_set
    if "restricted_to" in changes:
        restricted_to = data.restricted_to
        if not may_restrict(access, channel):
            raise audit.refuse(
                "channel.restrict", access,
                _l("Seul un administrateur ou un animateur qui voit ce canal peut changer "
                   "ses restrictions."),
                obj=channel, attempted={"restricted_to": restricted_to})
    before = serialise(channel)
    if "name" in changes:
        channel.name = data.name if data.name == channel.name else _unique_name(access, data.name)
    if "description" in changes:
        channel.description = data.description
    if "archived" in changes:
        channel.archived = data.archived
    if "restricted_to" in changes:
        channel.restricted_to = restricted_to
    audit.record("channel.update", actor=access.user, territory=access.territory, obj=channel,
                 before=before, after=serialise(channel))
    db.session.commit()
    return channel


def may_restrict(access: Access, channel: Channel) -> bool:
    return (access.system or access.user.is_admin
            or (access.is_facilitator and audience.can_see_channel(access, channel)))


def serialise(channel: Channel) -> dict:
    return {
        "id": channel.id,
        "name": channel.name,
        "description": channel.description,
        "restricted_to": list(channel.restricted_to) if channel.restricted_to else None,
        "archived": channel.archived,
    }


def _unique_name(access: Access, name: str) -> str:
    taken = db.session.scalar(sa.select(Channel.id).where(
        Channel.territory_id == access.territory.id, Channel.name == name))
    if taken is not None:
        raise Conflict(_l("Un canal porte déjà ce nom."), field="name")
    return name


