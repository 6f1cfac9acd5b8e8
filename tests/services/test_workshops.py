"""Workshop rules, called on the services directly, on SQLite and PostgreSQL: planning,
editing and cancelling a planned workshop, start / agenda / close transitions and their
refusals, dot-votes counted once per dot,
restricted posts kept out of votes, tagged contributions, permissions, minutes."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from concert.db import db
from concert.models import Event
from concert.models.workshops import AgendaItem, Dot
from concert.services import audit, channels, facilitation, posts, workshops
from concert.services.errors import Conflict, Forbidden, Invalid, NotFound
from concert.services.accounts import find_user
from concert.schemas.common import parse
from concert.schemas.workshops import (
    CancelInput, DotInput, MoveInput, VoteInput, WorkshopInput, WorkshopPatch,
)
from concert.schemas.workspace import ChannelInput
from concert.schemas.facilitation import DeclineInput, PromotionInput
from tests.conftest import SLUG, as_
from tests.services.conftest import contribute, events_of



@pytest.fixture
def general(world) -> int:
    return channels.list_channels(as_(world.facilitator))[0].id


@pytest.fixture
def state_only(world) -> int:
    channel = channels.create_channel(as_(world.facilitator), ChannelInput(
        name="État seulement", restricted_to=["prefecture", "police_nationale"]))
    return channel.id


def planning(general, **changes) -> WorkshopInput:
    data = {"title": "Atelier tranquillité publique", "starts_at": "2026-12-03T14:00",
            "place": "Salle du conseil, préfecture",
            "invited": ["DDSP 13", "Habitat 13", "Ville de Marseille"],
            "agenda": [{"title": "Tour de table", "minutes": 10},
                       {"title": "Abords des gares", "minutes": 30, "channel": general},
                       {"title": "Priorités", "minutes": 20}]}
    data.update(changes)
    return parse(WorkshopInput, data)


def plan(world, general, **changes):
    return workshops.create(as_(world.facilitator), planning(general, **changes))


@pytest.fixture
def workshop(world, general):
    return plan(world, general)


def test_a_facilitator_plans_a_workshop(workshop, world, general):
    data = workshops.serialise(workshop)
    assert data["status"] == "planned" and data["current_item"] is None
    assert data["starts_at"] == "2026-12-03T13:00:00+00:00"  # Paris time, stored in UTC
    assert [(i["title"], i["minutes"], i["channel"]) for i in data["agenda"]] == [
        ("Tour de table", 10, None), ("Abords des gares", 30, general), ("Priorités", 20, None)]
    upcoming, past = workshops.list_workshops(as_(world.observer))
    assert [w.id for w in upcoming] == [workshop.id] and past == []


@pytest.mark.parametrize("changes, field", [
    ({"title": ""}, "title"),
    ({"starts_at": "demain"}, "starts_at"),
    ({"place": "", "online_url": ""}, "place"),
    ({"online_url": "javascript:alert(1)"}, "online_url"),
    ({"agenda": []}, "agenda"),
    ({"agenda": [{"title": "Point", "minutes": 0}]}, "agenda"),
    ({"agenda": [{"title": "Point", "minutes": "dix"}]}, "agenda"),
    ({"agenda": ["Point"]}, "agenda"),
    ({"invited": "DDSP"}, "invited"),
])
def test_planning_refusals_name_their_field(world, general, changes, field):
    with pytest.raises(Invalid) as refused:
        plan(world, general, **changes)
    assert refused.value.field == field


def test_an_agenda_item_cannot_focus_on_a_restricted_channel(world, general, state_only):
    with pytest.raises(Invalid):
        plan(world, general, agenda=[{"title": "État", "minutes": 5, "channel": state_only}])


def test_only_facilitators_plan_and_run(world, workshop, general):
    for person in (world.actor, world.observer):
        with pytest.raises(Forbidden):
            workshops.create(as_(person), planning(general))
        with pytest.raises(Forbidden):
            workshops.start(as_(person), workshop.id)
    workshops.start(as_(world.facilitator), workshop.id)
    for action in (lambda a: workshops.move(a, workshop.id, MoveInput(to="next")),
                   lambda a: workshops.close(a, workshop.id),
                   lambda a: workshops.open_vote(a, workshop.id, VoteInput(posts=[1, 2]))):
        with pytest.raises(Forbidden):
            action(as_(world.actor))


def test_outsiders_see_nothing(world, workshop):
    with pytest.raises(NotFound):
        workshops.get(as_(world.outsider, "autre"), workshop.id)
    with pytest.raises(NotFound):
        workshops.workshop_access(find_user(world.outsider.email), workshop.id)
    assert workshops.workshop_access(find_user(world.observer.email), workshop.id)


def test_start_advance_close_and_their_events(world, workshop):
    fac = as_(world.facilitator)
    started = workshops.serialise(workshops.start(fac, workshop.id))
    assert started["status"] == "live" and started["current_item"] == 0
    begun = datetime.fromisoformat(started["item_started_at"])
    assert datetime.fromisoformat(started["item_ends_at"]) - begun == timedelta(minutes=10)
    moved = workshops.serialise(workshops.move(fac, workshop.id, MoveInput(to="next")))
    assert moved["current_item"] == 1
    assert (datetime.fromisoformat(moved["item_ends_at"])
            - datetime.fromisoformat(moved["item_started_at"])) == timedelta(minutes=30)
    assert workshops.move(fac, workshop.id, MoveInput(to=2)).current_item == 2
    with pytest.raises(Conflict):
        workshops.move(fac, workshop.id, MoveInput(to="next"))
    assert workshops.move(fac, workshop.id, MoveInput(to="previous")).current_item == 1
    with pytest.raises(Invalid):
        workshops.move(fac, workshop.id, MoveInput(to=7))
    closed = workshops.serialise(workshops.close(fac, workshop.id))
    assert closed["status"] == "closed" and closed["current_item"] is None
    assert closed["item_ends_at"] is None
    types = [e.type for e in db.session.scalars(sa.select(Event).order_by(Event.seq))
             if e.type.startswith("workshop.")]
    assert types == ["workshop.started", "workshop.agenda", "workshop.agenda",
                     "workshop.agenda", "workshop.closed"]
    assert events_of("workshop.agenda")[0].data["current_item"] == 1


def test_transitions_refused_in_the_wrong_state(world, workshop):
    fac = as_(world.facilitator)
    with pytest.raises(Conflict):
        workshops.move(fac, workshop.id, MoveInput(to="next"))
    with pytest.raises(Conflict):
        workshops.close(fac, workshop.id)  # not started
    workshops.start(fac, workshop.id)
    with pytest.raises(Conflict):
        workshops.start(fac, workshop.id)  # already live
    workshops.close(fac, workshop.id)
    with pytest.raises(Conflict) as refused:
        workshops.start(fac, workshop.id)
    assert refused.value.status == 409 and refused.value.code == "workshop_closed"
    with pytest.raises(Conflict):
        workshops.close(fac, workshop.id)


def workshop_events() -> list[str]:
    return [e.type for e in db.session.scalars(sa.select(Event).order_by(Event.seq))
            if e.type.startswith("workshop.")]


def test_a_facilitator_edits_a_planned_workshop(world, workshop):
    agenda = [i.id for i in workshop.agenda]
    edited = workshops.serialise(workshops.update(as_(world.facilitator), workshop.id, WorkshopPatch(
        **{
        "starts_at": "2026-12-10T09:30", "place": "Mairie annexe", "invited": ["DDSP 13"]})))
    assert edited["starts_at"] == "2026-12-10T08:30:00+00:00"
    assert edited["place"] == "Mairie annexe" and edited["invited"] == ["DDSP 13"]
    assert edited["title"] == "Atelier tranquillité publique"  # not given: kept
    assert [i["id"] for i in edited["agenda"]] == agenda
    assert edited["status"] == "planned"
    online = workshops.update(as_(world.facilitator), workshop.id, WorkshopPatch(**{
        "place": "", "online_url": "https://visio.example.org/atelier"}))
    assert (online.place, online.online_url) == ("", "https://visio.example.org/atelier")
    # Each edit is announced with the whole workshop, so open pages show the new plan.
    assert workshop_events() == ["workshop.agenda", "workshop.agenda"]
    announced = events_of("workshop.agenda")[-1].data
    assert announced["online_url"] == "https://visio.example.org/atelier"
    assert announced["status"] == "planned"
    workshops.update(as_(world.facilitator), workshop.id, WorkshopPatch(**{"place": ""}))
    assert workshop_events() == ["workshop.agenda", "workshop.agenda"]  # nothing changed


def test_editing_replaces_the_agenda(world, workshop, general):
    fac = as_(world.facilitator)
    workshops.update(fac, workshop.id, WorkshopPatch(**{"agenda": [
        {"title": "Bilan des maraudes", "minutes": 15, "channel": general},
        {"title": "Suites", "minutes": 5}]}))
    assert [(i.position, i.title, i.minutes, i.channel_id) for i in workshop.agenda] == [
        (0, "Bilan des maraudes", 15, general), (1, "Suites", 5, None)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AgendaItem).where(
        AgendaItem.workshop_id == workshop.id)) == 2
    started = workshops.serialise(workshops.start(fac, workshop.id))
    assert started["agenda"][started["current_item"]]["title"] == "Bilan des maraudes"


@pytest.mark.parametrize("changes, field", [
    ({"title": ""}, "title"),
    ({"starts_at": "demain"}, "starts_at"),
    ({"place": ""}, "place"),  # and no link either
    ({"online_url": "javascript:alert(1)"}, "online_url"),
    ({"invited": "DDSP"}, "invited"),
    ({"agenda": []}, "agenda"),
    ({"agenda": [{"title": "Point", "minutes": 481}]}, "agenda"),
    ({"agenda": ["Point"]}, "agenda"),
])
def test_edit_refusals_name_their_field_and_change_nothing(world, workshop, changes, field):
    fac = as_(world.facilitator)
    before = workshops.serialise(workshop)
    with pytest.raises(Invalid) as refused:
        workshops.update(fac, workshop.id, WorkshopPatch(
            **{"title": "Nouveau titre", "place": "Mairie",
                                            **changes}))
    assert refused.value.field == field
    db.session.rollback()
    assert workshops.serialise(workshops.get(fac, workshop.id)) == before
    assert audit.entries(fac, object_type="workshop") == []


def test_an_edited_agenda_item_cannot_focus_on_a_restricted_channel(world, workshop,
                                                                    state_only):
    with pytest.raises(Invalid):
        workshops.update(as_(world.facilitator), workshop.id, WorkshopPatch(**{
            "agenda": [{"title": "État", "minutes": 5, "channel": state_only}]}))
    with pytest.raises(Invalid):
        parse(WorkshopPatch, ["pas un objet"])


def test_only_facilitators_edit_and_cancel(world, workshop):
    for person in (world.actor, world.observer):
        for action in (lambda a: workshops.update(a, workshop.id, WorkshopPatch(
            **{"title": "Pris"})),
                       lambda a: workshops.cancel(a, workshop.id),
                       lambda a: workshops.editable(a, workshop.id)):
            with pytest.raises(Forbidden):
                action(as_(person))
    with pytest.raises(NotFound):
        workshops.update(as_(world.outsider, "autre"), workshop.id, WorkshopPatch(
            **{"title": "Pris"}))
    with pytest.raises(NotFound):
        workshops.cancel(as_(world.outsider, "autre"), workshop.id)
    assert workshops.get(as_(world.facilitator), workshop.id).status == "planned"


def test_a_live_or_closed_workshop_is_neither_edited_nor_cancelled(world, workshop):
    fac = as_(world.facilitator)
    workshops.start(fac, workshop.id)
    for status in ("live", "closed"):
        for action in (lambda: workshops.update(fac, workshop.id, WorkshopPatch(
            **{"title": "Trop tard"})),
                       lambda: workshops.cancel(fac, workshop.id, CancelInput(reason="Trop tard")),
                       lambda: workshops.editable(fac, workshop.id)):
            with pytest.raises(Conflict) as refused:
                action()
            assert refused.value.status == 409 and refused.value.code == f"workshop_{status}"
            db.session.rollback()
        assert workshops.get(fac, workshop.id).title == "Atelier tranquillité publique"
        if status == "live":
            workshops.close(fac, workshop.id)


def test_a_facilitator_cancels_a_planned_workshop(world, workshop):
    fac = as_(world.facilitator)
    cancelled = workshops.serialise(workshops.cancel(fac, workshop.id, CancelInput(
        reason="  Salle indisponible ")))
    assert cancelled["status"] == "cancelled" and cancelled["cancelled_at"]
    assert cancelled["cancel_reason"] == "Salle indisponible"
    upcoming, past = workshops.list_workshops(as_(world.observer))
    assert upcoming == [] and [w.id for w in past] == [workshop.id]
    assert workshop_events() == ["workshop.closed"]  # it will not take place
    assert events_of("workshop.closed")[0].data["status"] == "cancelled"
    without_reason = plan(world, None, agenda=[{"title": "Point", "minutes": 5}])
    assert workshops.cancel(fac, without_reason.id).cancel_reason is None


def test_a_cancelled_workshop_cannot_start_nor_change_again(world, workshop):
    fac = as_(world.facilitator)
    workshops.cancel(fac, workshop.id)
    for action in (lambda: workshops.start(fac, workshop.id),
                   lambda: workshops.close(fac, workshop.id),
                   lambda: workshops.update(fac, workshop.id, WorkshopPatch(
                       **{"title": "Reprise"})),
                   lambda: workshops.cancel(fac, workshop.id)):
        with pytest.raises(Conflict) as refused:
            action()
        assert refused.value.code == "workshop_cancelled"
        db.session.rollback()
    with pytest.raises(Conflict):
        workshops.minutes(fac, workshop.id)
    assert workshops.get(fac, workshop.id).status == "cancelled"


def test_edits_and_cancellation_are_audited_before_and_after(world, workshop, general):
    fac = as_(world.facilitator)
    workshops.update(fac, workshop.id, WorkshopPatch(**{"title": "Atelier gares",
                                        "place": "Salle du conseil, préfecture"}))
    workshops.update(fac, workshop.id, WorkshopPatch(
        **{"title": "Atelier gares"}))  # nothing changes
    workshops.update(fac, workshop.id, WorkshopPatch(
        **{"agenda": [{"title": "Gares", "minutes": 45}]}))
    workshops.cancel(fac, workshop.id, CancelInput(reason="Grève des transports"))
    entries = audit.entries(fac, object_type="workshop")[::-1]
    assert [e.action for e in entries] == ["workshop.update", "workshop.update",
                                           "workshop.cancel"]
    assert {e.object_id for e in entries} == {workshop.id}
    assert {e.actor_id for e in entries} == {world.facilitator.id}
    assert entries[0].before == {"title": "Atelier tranquillité publique"}
    assert entries[0].after == {"title": "Atelier gares"}
    assert [i["title"] for i in entries[1].before["agenda"]] == [
        "Tour de table", "Abords des gares", "Priorités"]
    assert entries[1].after == {"agenda": [{"title": "Gares", "minutes": 45, "channel": None}]}
    assert entries[2].before == {"status": "planned"}
    assert entries[2].after == {"status": "cancelled", "reason": "Grève des transports"}


def test_posts_from_a_live_workshop_are_tagged_with_the_current_item(world, workshop,
                                                                     general):
    fac = as_(world.facilitator)
    with pytest.raises(Conflict):  # not live yet
        contribute(world.actor, "proposal", "Trop tôt", channel=general, workshop=workshop.id)
    workshops.start(fac, workshop.id)
    workshops.move(fac, workshop.id, MoveInput(to="next"))
    item = workshop.agenda[1]
    post = contribute(world.actor, "proposal", "Éclairer le parvis",
                      channel=general, workshop=workshop.id)
    assert (post.workshop_id, post.agenda_item_id) == (workshop.id, item.id)
    assert posts.serialise(post)["workshop"] == workshop.id
    assert posts.serialise(post)["agenda_item"] == item.id
    with pytest.raises(Conflict):  # an item that is no longer current
        contribute(world.actor, "proposal", "Retard",
                   channel=general, workshop=workshop.id, agenda_item=workshop.agenda[0].id)
    with pytest.raises(NotFound):
        contribute(world.actor, "proposal", "Ailleurs", channel=general, workshop=999999)
    assert [p.id for p in workshops.contributions(as_(world.observer), workshop)] == [post.id]


def test_workshop_posts_of_a_restricted_channel_stay_hidden(world, workshop, state_only):
    workshops.start(as_(world.facilitator), workshop.id)
    contribute(world.actor, "message", "Renseignement opérationnel",
               channel=state_only, workshop=workshop.id)
    assert workshops.contributions(as_(world.actors[1]), workshop) == []
    assert len(workshops.contributions(as_(world.facilitator), workshop)) == 1


@pytest.fixture
def proposals(world, general):
    return [contribute(world.actors[1], "proposal", text, channel=general) for text in
            ("Médiateurs de nuit", "Vidéoprotection du parvis", "Maraude commune")]


@pytest.fixture
def vote(world, workshop, proposals):
    workshops.start(as_(world.facilitator), workshop.id)
    return workshops.open_vote(as_(world.facilitator), workshop.id, VoteInput(**{
        "question": "Nos priorités", "dots": 2, "posts": [p.id for p in proposals]}))


def results(vote) -> dict[int, int]:
    return {o["post"]: o["dots"] for o in workshops.serialise_vote(vote)["options"]}


def test_dots_are_counted_once_per_dot_and_move(world, workshop, proposals, vote):
    police = as_(world.actor)
    a, b, c = (p.id for p in proposals)
    workshops.place_dot(police, workshop.id, vote.id, DotInput(post=a, slot=0))
    workshops.place_dot(police, workshop.id, vote.id, DotInput(
        post=a, slot=0))  # a retry: the same dot
    assert results(vote) == {a: 1, b: 0, c: 0}
    workshops.place_dot(police, workshop.id, vote.id, DotInput(post=b))  # the first free dot
    assert results(vote) == {a: 1, b: 1, c: 0}
    with pytest.raises(Conflict) as refused:  # more dots than allowed
        workshops.place_dot(police, workshop.id, vote.id, DotInput(post=c))
    assert refused.value.code == "no_dot_left"
    workshops.place_dot(police, workshop.id, vote.id, DotInput(post=c, slot=0))  # moved
    assert results(vote) == {a: 0, b: 1, c: 1}
    workshops.remove_dot(police, workshop.id, vote.id, 1)
    assert results(vote) == {a: 0, b: 0, c: 1}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Dot)) == 1
    data = workshops.serialise_vote(vote)
    assert data["voters"] == 1 and data["total"] == 1
    assert events_of("workshop.vote")[-1].data["vote"]["options"][2]["dots"] == 1


def test_voting_refusals(world, workshop, proposals, vote, general):
    police = as_(world.actor)
    with pytest.raises(Forbidden):  # observers read
        workshops.place_dot(as_(world.observer), workshop.id, vote.id, DotInput(
            post=proposals[0].id))
    other = contribute(world.actor, "proposal", "Hors vote", channel=general)
    with pytest.raises(Invalid):
        workshops.place_dot(police, workshop.id, vote.id, DotInput(post=other.id))
    with pytest.raises(Invalid):
        workshops.place_dot(police, workshop.id, vote.id, DotInput(
            post=proposals[0].id, slot=2))  # slot 0..1
    with pytest.raises(Conflict):  # one open vote at a time
        workshops.open_vote(as_(world.facilitator), workshop.id, VoteInput(
            **{"posts": [p.id for p in proposals]}))
    workshops.close_vote(as_(world.facilitator), workshop.id, vote.id)
    with pytest.raises(Conflict) as refused:
        workshops.place_dot(police, workshop.id, vote.id, DotInput(post=proposals[0].id))
    assert refused.value.code == "vote_closed"
    with pytest.raises(NotFound):
        workshops.place_dot(police, workshop.id, vote.id + 1000, DotInput(post=proposals[0].id))


def test_a_vote_takes_only_open_contributions_visible_to_all(world, workshop, proposals,
                                                             state_only, general):
    fac = as_(world.facilitator)
    workshops.start(fac, workshop.id)
    hidden = contribute(world.actor, "proposal", "Proposition réservée à l'État",
                        channel=state_only)
    message = contribute(world.actor, "message", "Un simple message", channel=general)
    for bad in (hidden.id, message.id):
        with pytest.raises(Invalid) as refused:
            workshops.open_vote(fac, workshop.id, VoteInput(**{"posts": [proposals[0].id, bad]}))
        assert refused.value.field == "posts"
    for bad in ([proposals[0].id], "1,2", [proposals[0].id, True]):
        with pytest.raises(Invalid):
            workshops.open_vote(fac, workshop.id, VoteInput(**{"posts": bad}))
    with pytest.raises(Invalid):
        workshops.open_vote(fac, workshop.id, VoteInput(
            **{"posts": [p.id for p in proposals], "dots": 0}))


def test_closing_the_workshop_closes_its_vote(world, workshop, vote):
    workshops.close(as_(world.facilitator), workshop.id)
    assert vote.status == "closed"


def test_minutes_of_a_closed_workshop(world, workshop, proposals, general, state_only):
    fac = as_(world.facilitator)
    with pytest.raises(Conflict):
        workshops.minutes(fac, workshop.id)
    workshops.start(fac, workshop.id)
    workshops.attend(workshop, fac.membership)
    workshops.attend(workshop, as_(world.actor).membership)
    workshops.attend(workshop, as_(world.actors[1]).membership)
    db.session.commit()
    workshops.move(fac, workshop.id, MoveInput(to="next"))
    said = contribute(world.actor, "proposal", "Renforcer l'éclairage du parvis",
                      channel=general, workshop=workshop.id)
    contribute(world.actor, "message", "Effectifs de la BAC",
               channel=state_only, workshop=workshop.id)
    vote = workshops.open_vote(fac, workshop.id, VoteInput(**{"question": "Priorités", "dots": 1,
                                                  "posts": [proposals[0].id, said.id]}))
    workshops.place_dot(as_(world.actors[1]), workshop.id, vote.id, DotInput(post=said.id))
    commitment = facilitation.promote(fac, PromotionInput(**{"title": "Éclairage du parvis", "party": "collectivite",
                                            "source_posts": [said.id]}))
    facilitation.decline(fac, proposals[2].id, DeclineInput(reason="Hors du champ du contrat"))
    workshops.close(fac, workshop.id)

    document = workshops.minutes(as_(world.actors[1]), workshop.id)
    assert document["kind"] == "minutes" and "Atelier tranquillité publique" in document["title"]
    by_key = {s["key"]: s for s in document["sections"]}
    attendance = by_key["attendance"]["blocks"][0]
    assert ["DDSP 13", "Police nationale", 1, "Paul Police"] in attendance["rows"]
    assert len(attendance["rows"]) == 3
    assert "Ville de Marseille" in by_key["attendance"]["blocks"][1]["text"]
    items = by_key["contributions"]["sections"]
    assert [s["title"] for s in items] == ["Tour de table", "Abords des gares", "Priorités"]
    lines = items[1]["blocks"][0]["items"]
    assert len(lines) == 1 and "Renforcer l'éclairage du parvis" in lines[0]  # BAC hidden
    votes = by_key["votes"]["blocks"][0]
    assert votes["rows"][0][2] == 1 and "Renforcer" in votes["rows"][0][0]
    decisions = by_key["decisions"]["blocks"]
    text = " ".join(decisions[0]["items"])
    assert f"engagement n° {commitment.number}" in text and "Hors du champ du contrat" in text
    assert decisions[1]["rows"][0][0] == commitment.number
    assert f"/t/{SLUG}/commitments/{commitment.id}" in decisions[1]["rows"][0][2]
    facilitator_view = workshops.minutes(fac, workshop.id)
    fac_items = {s["key"]: s for s in facilitator_view["sections"]}["contributions"]["sections"]
    assert len(fac_items[1]["blocks"][0]["items"]) == 2  # the préfecture sees the BAC one


def test_attendance_counts_while_live_only(world, workshop):
    obs = as_(world.observer)
    workshops.start(as_(world.facilitator), workshop.id)
    workshops.attend(workshop, obs.membership)
    workshops.attend(workshop, obs.membership)
    db.session.commit()
    assert [(a.organisation, a.organisation_kind) for a in workshops.attendance(workshop)] == [
        ("Parquet", "justice")]
    assert datetime.now(timezone.utc) - workshops.attendance(workshop)[0].first_seen < timedelta(
        minutes=5)
