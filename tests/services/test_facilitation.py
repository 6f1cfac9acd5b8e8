"""Facilitation rules, called on the services directly, on SQLite and PostgreSQL: promote,
merge, decline, reopen; commitment revisions, lifecycle, indicators; audit and events."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from concert.db import db
from concert.models import (
    AuditLog,
    Commitment,
    CommitmentRevision,
    Event,
    Indicator,
    Post,
    Support,
    Territory,
)
from concert.services import (
    accounts,
    audit,
    channels,
    commitments,
    events,
    facilitation,
    members,
    posts,
    territories,
)
from concert.services.access import access
from concert.services.errors import Conflict, Forbidden, Invalid, NotFound
from concert.schemas.workspace import ChannelInput
from concert.schemas.facilitation import (
    CommitmentInput, CommitmentsQuery, DeclineInput, MeasurementInput, MergeInput, PromotionInput,
)
from concert.schemas.territories import InvitationInput
from tests.conftest import SLUG, as_
from tests.services.conftest import channel_id, contribute, events_of

pytestmark = pytest.mark.usefixtures("french")  # services speak French outside a request


FULL = {
    "title": "Patrouilles communes aux abords des gares",
    "description": "Présence coordonnée police nationale / police municipale.",
    "party": "etat",
    "pilot": "DDSP 13",
    "partners": ["Police municipale de Marseille", "SNCF Sûreté"],
    "actions": ["Planning commun mensuel", "Point hebdomadaire"],
    "means": {"staff": "6 agents", "budget": "12 000 €", "equipment": "2 véhicules"},
    "start_date": "2027-01-01",
    "due_date": "2027-12-31",
    "indicators": [
        {"name": "Vols avec violence", "unit": "faits", "baseline": 120, "target": 90},
        {"name": "Patrouilles communes", "unit": "par mois", "baseline": 0, "target": 8},
    ],
}


# --- helpers -------------------------------------------------------------------------------

def promote(world, *sources: Post, **fields) -> Commitment:
    data = {"title": "Engagement", "party": "etat", **fields,
            "source_posts": [p.id for p in sources]}
    return facilitation.promote(as_(world.facilitator), PromotionInput(**data))


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def audit_of(action: str) -> list[AuditLog]:
    return list(db.session.scalars(sa.select(AuditLog).where(AuditLog.action == action)
                                   .order_by(AuditLog.id)))


def fresh(obj):
    """The object as stored (after whatever the service committed or rolled back)."""
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def snapshot() -> dict:
    """Everything a refused action must leave alone."""
    db.session.rollback()
    return {
        "commitments": count(Commitment),
        "events": count(Event),
        "audit": count(AuditLog),
        "numbers": list(db.session.scalars(sa.select(Territory.last_commitment_number)
                                           .order_by(Territory.id))),
        "statuses": list(db.session.execute(sa.select(Post.id, Post.status, Post.merged_into_id,
                                                      Post.decline_reason).order_by(Post.id))),
        "supports": count(Support),
    }


def refused(error, call, *, code: str | None = None, field: str | None = None):
    """`call()` raises `error` (with that code / field) and changes nothing."""
    before = snapshot()
    with pytest.raises(error) as raised:
        call()
    if code is not None:
        assert raised.value.code == code
    if field is not None:
        assert raised.value.field == field
    assert snapshot() == before
    return raised.value


def second_facilitator(kind: str = "commune"):
    """Another facilitator of "metropole", of a kind the State channel leaves out."""
    _invitation, url = members.invite(territories.system_access(SLUG), InvitationInput(email="mairie@example.org", role="facilitator", organisation="Ville de Marseille", organisation_kind=kind))
    members.accept_invitation(url.rsplit("/", 1)[1], name="Marc Mairie",
                              password="correct horse battery staple")
    return access(accounts.find_user("mairie@example.org"), SLUG)


@pytest.fixture
def state_channel(world) -> int:
    """Restricted to the préfecture and the police nationale."""
    return channels.create_channel(as_(world.facilitator), ChannelInput(
        name="État seulement", restricted_to=["prefecture", "police_nationale"])).id


# --- promote -------------------------------------------------------------------------------

def test_promote_one_need_with_every_field(world):
    need = contribute(world.actors[0], "need", "Il faut sécuriser la gare Saint-Charles")
    commitment = promote(world, need, **FULL)

    assert commitment.number == 1
    data = commitments.serialise(commitment, as_(world.actors[1]))
    for key in ("title", "description", "party", "pilot", "partners", "actions", "means",
                "start_date", "due_date"):
        assert data[key] == FULL[key], key
    assert [(i["name"], i["unit"], i["baseline"], i["target"]) for i in data["indicators"]] == [
        ("Vols avec violence", "faits", 120, 90), ("Patrouilles communes", "par mois", 0, 8)]
    assert data["status"] == "draft"
    assert data["channel"] == need.channel_id  # the domain the need was raised in
    assert data["source_posts"] == [need.id] and data["hidden_sources"] == 0
    assert data["sources"][0]["excerpt"].startswith("Il faut sécuriser")
    stored = fresh(need)
    assert stored.status == "promoted"
    assert posts.serialise(stored)["commitments"] == [
        {"id": commitment.id, "number": 1, "title": FULL["title"]}]


def test_promote_several_needs_and_proposals_numbers_per_territory(world):
    need = contribute(world.actors[0], "need", "Plus d'éclairage")
    proposal = contribute(world.actors[1], "proposal", "Installer des lampadaires")
    first = promote(world, need, proposal, title="Éclairage public")
    second = promote(world, contribute(world.actors[0], "proposal", "Médiateurs de nuit"))
    elsewhere = facilitation.promote(as_(world.outsider, "autre"), PromotionInput(**{
        "title": "Ailleurs", "party": "collectivite",
        "source_posts": [contribute(world.outsider, "need", "Lyon", slug="autre").id]}))
    third = promote(world)  # a commitment may start without source

    assert (first.number, second.number, third.number) == (1, 2, 3)
    assert elsewhere.number == 1
    assert commitments.serialise(first)["source_posts"] == [need.id, proposal.id]
    assert {fresh(need).status, fresh(proposal).status} == {"promoted"}
    assert [c.number for c in commitments.list_commitments(as_(world.observer))] == [1, 2, 3]


def test_promote_channel_given_explicitly_overrides_the_sources(world):
    need = contribute(world.actors[0])
    other = channel_id(world.facilitator, "Vidéoprotection")
    assert promote(world, need, channel=other).channel_id == other
    assert promote(world, channel=None).channel_id is None


@pytest.mark.parametrize("who", ["actor", "observer"])
def test_only_facilitators_act(world, who):
    person = world.actors[0] if who == "actor" else world.observer
    need = contribute(world.actors[1])
    declined = contribute(world.actors[1], "proposal", "Autre")
    facilitation.decline(as_(world.facilitator), declined.id, DeclineInput(reason="Hors sujet"))
    # Piloted by another organisation than theirs: the pilot's members may measure.
    commitment = promote(world, contribute(world.actors[1], "need", "Troisième"),
                         **{**FULL, "pilot": "Habitat 13"})
    who_ = as_(person)
    indicator = commitment.indicators[0].id

    refused(Forbidden, lambda: facilitation.promote(who_, PromotionInput(**{
        "title": "x", "party": "etat", "source_posts": [need.id]})))
    refused(Forbidden, lambda: facilitation.merge(who_, need.id, MergeInput(into=declined.id)))
    refused(Forbidden, lambda: facilitation.decline(who_, need.id, DeclineInput(reason="non")))
    refused(Forbidden, lambda: facilitation.reopen(who_, declined.id))
    refused(Forbidden, lambda: commitments.update(who_, commitment.id, CommitmentInput(**{"title": "Autre"})))
    refused(Forbidden, lambda: commitments.add_measurement(
        who_, commitment.id, indicator, MeasurementInput(**{"date": "2027-02-01", "value": 100})))
    refused(Forbidden, lambda: audit.entries(who_))
    # …but they read commitments and their history.
    assert commitments.list_commitments(who_)[0].id == commitment.id
    assert commitments.revisions(who_, commitment.id) == []


def test_promote_refuses_unknown_foreign_and_non_contribution_posts(world):
    foreign = contribute(world.outsider, "need", "Lyon", slug="autre")
    message = contribute(world.actors[0], "message", "Bonjour à tous")
    need = contribute(world.actors[0])

    refused(NotFound, lambda: promote(world, need, foreign))
    refused(NotFound, lambda: facilitation.promote(as_(world.facilitator), PromotionInput(**{
        "title": "x", "party": "etat", "source_posts": [need.id, 999_999]})))
    refused(Invalid, lambda: promote(world, message), field="source_posts")
    for bad in ("1", [str(need.id)], [True], [need.id, None], {"id": need.id}, 1.5):
        refused(Invalid, lambda bad=bad: facilitation.promote(as_(world.facilitator), PromotionInput(**{
            "title": "x", "party": "etat", "source_posts": bad})), field="source_posts")
    assert fresh(need).status == "open"


def test_promote_a_huge_post_id_is_not_found(world):
    refused(NotFound, lambda: facilitation.promote(as_(world.facilitator), PromotionInput(**{
        "title": "x", "party": "etat", "source_posts": [2 ** 70]})))


def test_promote_a_deleted_contribution_is_refused(world):
    need = contribute(world.actors[0])
    posts.delete_post(as_(world.actors[0]), need.id)
    refused(Conflict, lambda: promote(world, need))


def test_already_promoted_needs_repromote_and_nothing_changes_without(world):
    need = contribute(world.actors[0])
    other = contribute(world.actors[1], "proposal", "Autre")
    first = promote(world, need)
    db.session.commit()

    error = refused(Conflict, lambda: promote(world, other, need), code="already_promoted",
                    field="source_posts")
    assert str(need.id) in str(error.message)
    assert fresh(other).status == "open"  # the valid source was not promoted either
    assert not events_of("commitment.created")[1:]

    refused(Invalid, lambda: promote(world, need, repromote="yes"), field="repromote")
    second = promote(world, other, need, repromote=True)
    assert (first.number, second.number) == (1, 2)  # the refusal consumed no number
    assert [c["id"] for c in posts.serialise(fresh(need))["commitments"]] == [first.id, second.id]


def test_merged_or_declined_posts_cannot_be_promoted(world):
    kept = contribute(world.actors[0], "need", "Éclairage rue A")
    duplicate = contribute(world.actors[1], "need", "Éclairage de la rue A")
    declined = contribute(world.actors[1], "proposal", "Hors sujet")
    facilitation.merge(as_(world.facilitator), duplicate.id, MergeInput(into=kept.id))
    facilitation.decline(as_(world.facilitator), declined.id, DeclineInput(
        reason="Hors du champ du contrat"))

    refused(Conflict, lambda: promote(world, duplicate), field="source_posts")
    refused(Conflict, lambda: promote(world, declined, repromote=True), field="source_posts")


@pytest.mark.parametrize("fields, field", [
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"title": 12}, "title"),
    ({"party": "region"}, "party"),
    ({"party": None}, "party"),
    ({"partners": "DDSP"}, "partners"),
    ({"partners": [1, 2]}, "partners"),
    ({"actions": [{"a": 1}]}, "actions"),
    ({"means": "beaucoup"}, "means"),
    ({"means": {"staff": 3}}, "means"),
    ({"means": {"people": "3"}}, "means"),
    ({"start_date": "2027-13-45"}, "start_date"),
    ({"due_date": "31/12/2027"}, "due_date"),
    ({"start_date": 20270101}, "start_date"),
    ({"start_date": "2027-06-01", "due_date": "2027-01-01"}, "due_date"),
    ({"indicators": {"name": "x"}}, "indicators"),
    ({"indicators": [{"unit": "faits"}]}, "indicators"),
    ({"indicators": [{"name": "x", "baseline": "beaucoup"}]}, "indicators"),
    ({"indicators": [{"name": "x", "target": "1e400"}]}, "indicators"),
    ({"indicators": [{"name": "x", "target": "NaN"}]}, "indicators"),
    ({"indicators": [{"name": "x", "target": True}]}, "indicators"),
    ({"indicators": [{"name": "x", "target": [1]}]}, "indicators"),
    ({"indicators": [{"name": "x", "target": 10 ** 400}]}, "indicators"),
    ({"channel": "Transports"}, "channel"),
    ({"channel": True}, "channel"),
    ({"channel": [1]}, "channel"),
    ({"channel": 2 ** 70}, "channel"),
    ({"status": "validated"}, "status"),
    ({"repromote": 1}, "repromote"),
    ({"status": "finished"}, "status"),
    ({"color": "red"}, "color"),
])
def test_promote_refuses_bad_fields(world, fields, field):
    need = contribute(world.actors[0])
    refused(Invalid, lambda: promote(world, need, **fields), field=field)
    assert fresh(need).status == "open"


def test_promote_into_an_unknown_foreign_or_hidden_channel_is_not_found(world):
    mayor = second_facilitator()
    hidden = channels.create_channel(as_(world.facilitator), ChannelInput(
        name="Préfecture seule", restricted_to=["prefecture"])).id
    foreign = channel_id(world.outsider, slug="autre")
    for channel in (999_999, foreign):
        refused(NotFound, lambda channel=channel: promote(world, channel=channel),
                field="channel")
    refused(NotFound, lambda: facilitation.promote(mayor, PromotionInput(**{
        "title": "x", "party": "etat", "channel": hidden})), field="channel")


def test_promote_accepts_numbers_written_the_french_way(world):
    commitment = promote(world, indicators=[
        {"name": "Taux", "unit": "%", "baseline": "12,5", "target": "7"}])
    assert (commitment.indicators[0].baseline, commitment.indicators[0].target) == (12.5, 7.0)


def test_promote_ignores_client_chosen_indicator_ids(world):
    """An `id` in an indicator refers to an existing one on edit; on creation it is not
    the client's to choose (it would take another commitment's row)."""
    first = promote(world, indicators=[{"name": "A", "baseline": 0, "target": 1}])
    taken = first.indicators[0].id
    second = promote(world, indicators=[{"id": taken, "name": "B", "baseline": 0, "target": 1}])
    assert second.indicators[0].id != taken
    assert fresh(first.indicators[0]).name == "A"
    third = promote(world, indicators=[{"name": "C"}])
    assert len({taken, second.indicators[0].id, third.indicators[0].id}) == 3


# --- merge, decline, reopen ---------------------------------------------------------------

def test_merge_combines_supports_without_double_counting(world):
    kept = contribute(world.actors[0], "need", "Caméras place du marché")
    duplicate = contribute(world.actors[1], "need", "Vidéoprotection du marché")
    # actors[1] supports kept, observer cannot support; facilitator supports both;
    # actors[0] (author of kept) supports the duplicate: must not count on their own post.
    posts.toggle_support(as_(world.actors[1]), kept.id)
    posts.toggle_support(as_(world.facilitator), kept.id)
    posts.toggle_support(as_(world.facilitator), duplicate.id)
    posts.toggle_support(as_(world.actors[0]), duplicate.id)

    merged = facilitation.merge(as_(world.facilitator), duplicate.id, MergeInput(into=kept.id))

    assert merged.status == "merged" and merged.merged_into_id == kept.id
    kept = fresh(kept)
    assert kept.status == "open"
    assert kept.support_count == 2
    assert set(posts.supporters(as_(world.facilitator), kept.id)) == {
        world.actors[1].id, world.facilitator.id}
    data = posts.serialise(fresh(duplicate))
    assert data["status"] == "merged" and data["merged_into"] == kept.id


def test_merge_into_a_promoted_post_is_allowed(world):
    kept = contribute(world.actors[0])
    promote(world, kept)
    duplicate = contribute(world.actors[1], "need", "Doublon")
    assert facilitation.merge(as_(world.facilitator), duplicate.id, MergeInput(
        into=kept.id)).status == "merged"


def test_merge_refusals(world):
    a = contribute(world.actors[0], "need", "A")
    b = contribute(world.actors[1], "need", "B")
    declined = contribute(world.actors[1], "need", "C")
    message = contribute(world.actors[1], "message", "Bonjour")
    foreign = contribute(world.outsider, "need", "Lyon", slug="autre")
    facilitation.decline(as_(world.facilitator), declined.id, DeclineInput(reason="Non"))
    fac = as_(world.facilitator)

    refused(Invalid, lambda: facilitation.merge(fac, a.id, MergeInput(into=a.id)), field="into")
    refused(Conflict, lambda: facilitation.merge(fac, declined.id, MergeInput(into=a.id)))
    refused(Conflict, lambda: facilitation.merge(fac, a.id, MergeInput(
        into=declined.id)), field="into")
    refused(Invalid, lambda: facilitation.merge(fac, a.id, MergeInput(
        into=message.id)), field="into")
    refused(NotFound, lambda: facilitation.merge(fac, a.id, MergeInput(into=foreign.id)))
    refused(NotFound, lambda: facilitation.merge(fac, a.id, MergeInput(into=999_999)))
    for bad in (None, "x", str(b.id), True, 1.0, [b.id], 2 ** 70):
        with pytest.raises((Invalid, NotFound)) as raised:
            facilitation.merge(fac, a.id, MergeInput(into=bad))
        assert isinstance(raised.value, Invalid) or bad == 2 ** 70, bad
        db.session.rollback()
    promote(world, b)
    refused(Conflict, lambda: facilitation.merge(fac, b.id, MergeInput(
        into=a.id)))  # promoted: not open
    assert fresh(a).status == "open"


def test_merge_true_is_not_post_number_one(world):
    """JSON `true` must not be read as the post with id 1."""
    assert contribute(world.actors[0], "need", "Premier").id == 1  # what `true` would name
    second = contribute(world.actors[1], "need", "Second")
    refused(Invalid, lambda: facilitation.merge(as_(world.facilitator), second.id, MergeInput(
        into=True)),
            field="into")
    assert fresh(second).status == "open"


def test_decline_needs_a_reason_shown_to_all_then_reopen(world):
    need = contribute(world.actors[0])
    fac = as_(world.facilitator)
    for bad in (None, "", "   ", 42, ["non"], "x" * 2001):
        refused(Invalid, lambda bad=bad: facilitation.decline(fac, need.id, DeclineInput(
            reason=bad)),
                field="reason")

    facilitation.decline(fac, need.id, DeclineInput(reason="  Relève du contrat de ville  "))
    data = posts.serialise(fresh(need))
    assert data["status"] == "declined"
    assert data["decline_reason"] == "Relève du contrat de ville"
    seen_by_observer = posts.serialise(posts.get_post(as_(world.observer), need.id))
    assert seen_by_observer["decline_reason"] == "Relève du contrat de ville"
    refused(Conflict, lambda: facilitation.decline(fac, need.id, DeclineInput(reason="Encore")))

    reopened = facilitation.reopen(fac, need.id)
    assert reopened.status == "open" and reopened.decline_reason is None
    refused(Conflict, lambda: facilitation.reopen(fac, need.id))


def test_reopen_only_a_declined_post(world):
    fac = as_(world.facilitator)
    open_ = contribute(world.actors[0], "need", "Ouverte")
    promoted = contribute(world.actors[0], "need", "Promue")
    merged = contribute(world.actors[1], "need", "Fusionnée")
    promote(world, promoted)
    facilitation.merge(fac, merged.id, MergeInput(into=open_.id))
    for post in (open_, promoted, merged):
        refused(Conflict, lambda post=post: facilitation.reopen(fac, post.id))
    message = contribute(world.actors[0], "message", "Bonjour")
    refused(Invalid, lambda: facilitation.reopen(fac, message.id))
    refused(NotFound, lambda: facilitation.reopen(fac, 999_999))


def test_a_promoted_post_cannot_be_deleted(world):
    need = contribute(world.actors[0])
    promote(world, need)
    error = refused(Conflict, lambda: posts.delete_post(as_(world.actors[0]), need.id))
    assert error.status == 409
    refused(Conflict, lambda: posts.delete_post(as_(world.facilitator), need.id))
    assert fresh(need).deleted_at is None


@pytest.mark.parametrize("action", ["decline", "merge"])
def test_a_treated_post_cannot_be_deleted_either(world, action):
    need = contribute(world.actors[0])
    kept = contribute(world.actors[1], "need", "Gardée")
    if action == "decline":
        facilitation.decline(as_(world.facilitator), need.id, DeclineInput(reason="Non"))
    else:
        facilitation.merge(as_(world.facilitator), need.id, MergeInput(into=kept.id))
    refused(Conflict, lambda: posts.delete_post(as_(world.actors[0]), need.id))


# --- commitment lifecycle -------------------------------------------------------------------

def test_edit_records_a_revision_with_exactly_the_changed_fields(world):
    commitment = promote(world, contribute(world.actors[0]), **FULL)
    fac = as_(world.facilitator)

    commitments.update(fac, commitment.id, CommitmentInput(**{
        "title": "Patrouilles renforcées", "pilot": FULL["pilot"],  # pilot unchanged
        "means": {**FULL["means"], "budget": "15 000 €"}, "due_date": "2028-06-30"}))

    [revision] = commitments.revisions(as_(world.observer), commitment.id)
    assert revision.author_id == world.facilitator.id
    assert revision.changes == {
        "title": {"before": FULL["title"], "after": "Patrouilles renforcées"},
        "means": {"before": FULL["means"], "after": {**FULL["means"], "budget": "15 000 €"}},
        "due_date": {"before": "2027-12-31", "after": "2028-06-30"},
    }
    data = commitments.serialise_revision(revision)
    assert data["author"]["name"] == world.facilitator.name and data["created_at"]


def test_a_no_op_edit_records_nothing(world):
    commitment = promote(world, contribute(world.actors[0]), **FULL)
    before = snapshot()
    revisions_before = count(CommitmentRevision)
    same = {k: v for k, v in FULL.items() if k != "indicators"}
    commitments.update(as_(world.facilitator), commitment.id, CommitmentInput(**{**same, "status": "draft"}))
    commitments.update(as_(world.facilitator), commitment.id, CommitmentInput(**{}))
    assert count(CommitmentRevision) == revisions_before
    assert snapshot() == before


def test_edit_indicators_keeps_measurements_of_those_given_with_their_id(world):
    commitment = promote(world, **FULL)
    fac = as_(world.facilitator)
    first, second = commitment.indicators
    commitments.add_measurement(fac, commitment.id, first.id, MeasurementInput(**{"date": "2027-03-01", "value": 100}))
    commitments.update(fac, commitment.id, CommitmentInput(**{"indicators": [
        {"id": first.id, "name": first.name, "unit": "faits", "baseline": 120, "target": 80},
        {"name": "Nouvel indicateur", "unit": "", "baseline": 1, "target": 2}]}))
    data = commitments.serialise(fresh(commitment))
    assert [i["name"] for i in data["indicators"]] == ["Vols avec violence", "Nouvel indicateur"]
    assert data["indicators"][0]["latest"] == 100 and data["indicators"][0]["target"] == 80
    assert count(Indicator, Indicator.id == second.id) == 0
    [revision] = commitments.revisions(fac, commitment.id)
    assert set(revision.changes) == {"indicators"}


def test_edit_refuses_bad_input_and_changes_nothing(world):
    commitment = promote(world, **FULL)
    fac = as_(world.facilitator)
    for data, field in [({"title": ""}, "title"), ({"party": "etat2"}, "party"),
                        ({"due_date": "2026-01-01"}, "due_date"),
                        ({"start_date": "2027-02-30"}, "start_date"),
                        ({"status": 3}, "status"), ({"abandon_reason": 3}, "abandon_reason"),
                        ({"source_posts": [1]}, "source_posts"),
                        ({"repromote": True}, "repromote"), ({"number": 7}, "number"),
                        ({"id": 7}, "id")]:
        with pytest.raises(Invalid) as raised:
            commitments.update(fac, commitment.id, CommitmentInput(**data))
        if field:
            assert raised.value.field == field
        db.session.rollback()
    assert count(CommitmentRevision) == 0
    assert fresh(commitment).title == FULL["title"]
    refused(NotFound, lambda: commitments.update(fac, 999_999, CommitmentInput(**{"title": "x"})))
    refused(NotFound, lambda: commitments.update(fac, "1", CommitmentInput(**{"title": "x"})))
    refused(NotFound, lambda: commitments.update(fac, True, CommitmentInput(**{"title": "x"})))
    refused(NotFound, lambda: commitments.update(fac, 2 ** 70, CommitmentInput(**{"title": "x"})))
    foreign = facilitation.promote(as_(world.outsider, "autre"), PromotionInput(**{"title": "Lyon", "party": "etat"}))
    refused(NotFound, lambda: commitments.update(fac, foreign.id, CommitmentInput(**{"title": "x"})))


def test_status_transitions(world):
    commitment = promote(world)
    fac = as_(world.facilitator)

    def move(status, **extra):
        return commitments.update(fac, commitment.id, CommitmentInput(**{"status": status, **extra})).status

    error = refused(Conflict, lambda: move("done"), field="status")
    # the statuses' French names, never their keys
    assert str(error.message) == "Passage de « Brouillon » à « Réalisé » impossible."
    refused(Conflict, lambda: move("in_progress"), field="status")
    assert move("validated") == "validated"
    assert move("in_progress") == "in_progress"
    assert move("done") == "done"
    refused(Conflict, lambda: move("abandoned"), field="status")  # done → abandoned: no
    assert move("in_progress") == "in_progress"
    refused(Invalid, lambda: move("abandoned"), field="abandon_reason")
    refused(Invalid, lambda: move("abandoned", abandon_reason="  "), field="abandon_reason")
    assert move("abandoned", abandon_reason="Financement retiré") == "abandoned"
    assert fresh(commitment).abandon_reason == "Financement retiré"
    refused(Conflict, lambda: move("validated"), field="status")
    assert move("draft") == "draft"
    assert fresh(commitment).abandon_reason is None
    statuses = [r.changes["status"]["after"]
                for r in reversed(commitments.revisions(fac, commitment.id))]
    assert statuses == ["validated", "in_progress", "done", "in_progress", "abandoned", "draft"]


def test_transitions_table_is_the_documented_lifecycle():
    allowed = {(a, b) for a, nexts in commitments.TRANSITIONS.items() for b in nexts}
    assert {("draft", "validated"), ("validated", "in_progress"),
            ("in_progress", "done")} <= allowed
    assert ("draft", "done") not in allowed and ("draft", "in_progress") not in allowed
    assert all((status, "abandoned") in allowed for status in ("draft", "validated",
                                                                "in_progress"))


def test_measurements_and_progress(world):
    commitment = promote(world, indicators=[
        {"name": "Vols", "unit": "faits", "baseline": 30, "target": 10},
        {"name": "Patrouilles", "unit": "/mois", "baseline": 0, "target": 8},
        {"name": "Sans cible", "unit": ""}])
    fac = as_(world.facilitator)
    down, up, free = commitment.indicators

    commitments.add_measurement(fac, commitment.id, down.id,
                                MeasurementInput(**{"date": "2027-06-01", "value": 20, "comment": "Semestre 1"}))
    commitments.add_measurement(fac, commitment.id, up.id, MeasurementInput(**{"date": "2027-03-01", "value": 12}))
    commitments.add_measurement(fac, commitment.id, free.id, MeasurementInput(**{"date": "2027-03-01", "value": 5}))
    data = {i["name"]: i for i in commitments.serialise(fresh(commitment))["indicators"]}
    assert data["Vols"]["progress"] == pytest.approx(0.5)
    assert data["Vols"]["measurements"] == [
        {"id": data["Vols"]["measurements"][0]["id"], "date": "2027-06-01", "value": 20,
         "comment": "Semestre 1"}]
    assert data["Patrouilles"]["progress"] == 1.0  # beyond the target: clamped
    assert data["Sans cible"]["progress"] is None

    # The latest by date counts, whatever the order they were entered in.
    commitments.add_measurement(fac, commitment.id, down.id, MeasurementInput(**{"date": "2027-12-01", "value": 40}))
    commitments.add_measurement(fac, commitment.id, down.id, MeasurementInput(**{"date": "2027-09-01", "value": 15}))
    vols = commitments.serialise(fresh(commitment))["indicators"][0]
    assert vols["latest"] == 40 and vols["progress"] == 0.0  # worse than baseline: clamped


@pytest.mark.parametrize("baseline, target, latest, expected", [
    (0, 10, 5, 0.5), (30, 10, 20, 0.5), (30, 10, 5, 1.0), (30, 10, 35, 0.0),
    (10, 10, 10, None), (None, 10, 5, None), (0, 10, None, None), (-10, 10, 0, 0.5),
])
def test_progress(baseline, target, latest, expected):
    assert commitments.progress(baseline, target, latest) == expected


def test_measurement_refusals(world):
    commitment = promote(world, indicators=[{"name": "Vols", "baseline": 30, "target": 10}])
    other = promote(world, indicators=[{"name": "Autre", "baseline": 0, "target": 1}])
    fac = as_(world.facilitator)
    indicator = commitment.indicators[0].id
    for data, field in [({"value": 3}, "date"), ({"date": "2027-13-45", "value": 3}, "date"),
                        ({"date": "2027-01-01"}, "value"),
                        ({"date": "2027-01-01", "value": "1e400"}, "value"),
                        ({"date": "2027-01-01", "value": "NaN"}, "value"),
                        ({"date": "2027-01-01", "value": "beaucoup"}, "value"),
                        ({"date": "2027-01-01", "value": True}, "value"),
                        ({"date": "2027-01-01", "value": {"v": 1}}, "value"),
                        ({"date": ["2027-01-01"], "value": 1}, "date"),
                        ({"date": "2027-01-01", "value": 1, "comment": 5}, "comment")]:
        refused(Invalid, lambda data=data: commitments.add_measurement(
            fac, commitment.id, indicator, MeasurementInput(**data)), field=field)
    refused(NotFound, lambda: commitments.add_measurement(
        fac, commitment.id, other.indicators[0].id, MeasurementInput(**{"date": "2027-01-01", "value": 1})))
    refused(NotFound, lambda: commitments.add_measurement(
        fac, commitment.id, 999_999, MeasurementInput(**{"date": "2027-01-01", "value": 1})))


def test_list_filters(world):
    fac = as_(world.facilitator)
    transports, habitat = channel_id(world.facilitator), channel_id(world.facilitator,
                                                                   "Habitat social")
    a = promote(world, party="etat", pilot="DDSP 13", channel=transports)
    b = promote(world, party="collectivite", pilot="Ville", channel=habitat)
    commitments.update(fac, b.id, CommitmentInput(**{"status": "validated"}))

    def numbers(**filters):
        return [c.number for c in commitments.list_commitments(as_(world.actors[1]),
                                                                 CommitmentsQuery(**filters))]

    assert numbers() == [a.number, b.number]
    assert numbers(status="validated") == [b.number]
    assert numbers(party="etat") == [a.number]
    assert numbers(pilot="Ville") == [b.number]
    assert numbers(channel=str(transports)) == [a.number]
    assert numbers(status="", party="") == [a.number, b.number]
    for bad in ({"status": "fini"}, {"party": "region"}, {"channel": "abc"},
                {"pilot": "x" * 300}):
        with pytest.raises(Invalid) as raised:
            numbers(**bad)
        assert raised.value.field == next(iter(bad))


# --- restricted channels ---------------------------------------------------------------------

def test_a_restricted_source_shows_only_to_allowed_kinds(world, state_channel):
    secret = contribute(world.actors[0], "need", "Point de deal rue X, indicateur Y",
                        channel=state_channel)
    public = contribute(world.actors[1], "need", "Éclairage rue X")
    commitment = promote(world, secret, public, channel=None)

    police = commitments.serialise(commitment, as_(world.actors[0]))
    assert police["source_posts"] == [secret.id, public.id] and police["hidden_sources"] == 0
    bailleur = commitments.serialise(commitment, as_(world.actors[1]))
    assert bailleur["source_posts"] == [public.id] and bailleur["hidden_sources"] == 1
    assert "deal" not in repr(bailleur)

    broadcast = commitments.serialise(commitment)
    assert broadcast["source_posts"] == [public.id] and broadcast["hidden_sources"] == 1
    [created] = events_of("commitment.created")
    assert created.channel_id is None  # reaches every member…
    assert "deal" not in repr(created.data)  # …quoting its sources by id only, worded when read
    read = events.as_read("commitment.created", created.data, "bailleur_social")
    assert read["source_posts"] == [public.id] and read["hidden_sources"] == 1
    assert "deal" not in repr(read)
    # The post.status event of the hidden source goes to its channel's audience only.
    statuses = {e.post_id: e for e in events_of("post.status")}
    assert statuses[secret.id].channel_id == state_channel
    assert statuses[public.id].channel_id == public.channel_id
    # …and the members who cannot see it are not told it exists.
    with pytest.raises(NotFound):
        posts.get_post(as_(world.actors[1]), secret.id)


def test_audit_entries_about_a_hidden_post_hide_their_details(world, state_channel):
    secret = contribute(world.actors[0], "need", "Point de deal", channel=state_channel)
    facilitation.decline(as_(world.facilitator), secret.id, DeclineInput(reason="Traité en GLTD"))
    mayor = second_facilitator()

    entries = audit.entries(mayor, action="post.decline")
    [hidden] = [audit.serialise(e, mayor) for e in entries]
    assert hidden["hidden"] is True and hidden["before"] is None and hidden["after"] is None
    assert "GLTD" not in repr(hidden)
    fac = as_(world.facilitator)
    [shown] = [audit.serialise(e, fac) for e in audit.entries(fac, action="post.decline")]
    assert shown["hidden"] is False and shown["after"]["reason"] == "Traité en GLTD"


# --- audit and events ------------------------------------------------------------------------

def test_every_action_is_audited_and_announced(world):
    fac = as_(world.facilitator)
    a = contribute(world.actors[0], "need", "A")
    b = contribute(world.actors[1], "need", "B")
    c = contribute(world.actors[1], "proposal", "C")

    commitment = promote(world, a, **FULL)
    facilitation.merge(fac, b.id, MergeInput(into=a.id))
    facilitation.decline(fac, c.id, DeclineInput(reason="Non"))
    facilitation.reopen(fac, c.id)
    commitments.update(fac, commitment.id, CommitmentInput(**{"title": "Nouveau titre"}))
    commitments.add_measurement(fac, commitment.id, commitment.indicators[0].id,
                                MeasurementInput(**{"date": "2027-05-01", "value": 100}))

    actions = [(e.action, e.object_type, e.object_id, e.actor_id) for e in
               db.session.scalars(sa.select(AuditLog).where(AuditLog.territory_id.is_not(None),
                                                            AuditLog.action.not_like("channel.%"),
                                                            AuditLog.action.not_like("member%"),
                                                            AuditLog.action.not_like("invitation%"),
                                                            AuditLog.action.not_like("territory%"))
                                  .order_by(AuditLog.id))]
    me = world.facilitator.id
    assert actions == [
        ("commitment.create", "commitment", commitment.id, me),
        ("post.promote", "post", a.id, me),
        ("post.merge", "post", b.id, me),
        ("post.decline", "post", c.id, me),
        ("post.reopen", "post", c.id, me),
        ("commitment.update", "commitment", commitment.id, me),
        ("measurement.create", "measurement", actions[-1][2], me),
    ]
    types = [(e.type, e.data.get("id"), e.data.get("status")) for e in db.session.scalars(
        sa.select(Event).where(Event.type != "post.created").order_by(Event.seq))]
    assert types == [
        ("commitment.created", commitment.id, "draft"),
        ("post.status", a.id, "promoted"),
        ("post.status", b.id, "merged"),
        ("post.supported", a.id, None),
        ("post.status", c.id, "declined"),
        ("post.status", c.id, "open"),
        ("commitment.updated", commitment.id, "draft"),
        ("commitment.updated", commitment.id, "draft"),
        ("measurement.recorded", actions[-1][2], None),
    ]
    promoted = events_of("post.status")[0].data
    assert promoted["commitments"] == [
        {"id": commitment.id, "number": 1, "title": FULL["title"]}]
    assert events_of("post.status")[1].data["merged_into"] == a.id
    assert events_of("post.status")[2].data["reason"] == "Non"
    audit_promote = audit_of("post.promote")[0]
    assert audit_promote.before == {"status": "open"}
    assert audit_promote.after == {"status": "promoted", "commitment": commitment.id}
    assert audit_of("commitment.update")[0].before == {"title": FULL["title"]}
    assert audit_of("commitment.update")[0].after == {"title": "Nouveau titre"}


ACTIONS = {
    "promote": lambda w, fac, p: facilitation.promote(fac, PromotionInput(**{
        "title": "x", "party": "etat", "source_posts": [p["a"].id]})),
    "merge": lambda w, fac, p: facilitation.merge(fac, p["a"].id, MergeInput(into=p["b"].id)),
    "decline": lambda w, fac, p: facilitation.decline(fac, p["a"].id, DeclineInput(reason="Non")),
    "reopen": lambda w, fac, p: facilitation.reopen(fac, p["declined"].id),
    "update": lambda w, fac, p: commitments.update(fac, p["commitment"].id, CommitmentInput(**{"title": "Neuf"})),
    "measure": lambda w, fac, p: commitments.add_measurement(
        fac, p["commitment"].id, p["commitment"].indicators[0].id,
        MeasurementInput(**{"date": "2027-01-01", "value": 1})),
}


@pytest.mark.parametrize("name", ACTIONS)
def test_change_audit_and_event_share_one_transaction(world, monkeypatch, name):
    """If the action's single commit does not happen, neither the change nor its audit
    entry nor its event remains; when it happens, all three are there."""
    fac = as_(world.facilitator)
    prepared = {"a": contribute(world.actors[0], "need", "A"),
                "b": contribute(world.actors[1], "need", "B"),
                "declined": contribute(world.actors[1], "need", "C"),
                "commitment": promote(world, **FULL)}
    facilitation.decline(fac, prepared["declined"].id, DeclineInput(reason="Non"))
    before = snapshot()
    revisions_before = count(CommitmentRevision)

    commits = []
    monkeypatch.setattr(db.session, "commit", lambda: (commits.append(1), db.session.rollback()))
    ACTIONS[name](world, as_(world.facilitator), prepared)
    monkeypatch.undo()
    assert commits == [1]
    assert snapshot() == before and count(CommitmentRevision) == revisions_before

    ACTIONS[name](world, as_(world.facilitator), prepared)
    after = snapshot()
    assert after["audit"] > before["audit"] and after["events"] > before["events"]


def test_an_indicator_id_true_is_not_indicator_one(world):
    commitment = promote(world, indicators=[{"name": "A", "baseline": 0, "target": 1}])
    [indicator] = commitment.indicators
    assert indicator.id == 1  # the tables start empty
    fac = as_(world.facilitator)
    commitments.add_measurement(fac, commitment.id, 1, MeasurementInput(**{"date": "2027-01-01", "value": 1}))
    commitments.update(fac, commitment.id, CommitmentInput(**{"indicators": [
        {"id": True, "name": "B", "baseline": 0, "target": 1}]}))
    [replaced] = fresh(commitment).indicators
    assert replaced.name == "B" and replaced.measurements == []  # a new one, not #1
