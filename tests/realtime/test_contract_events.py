"""A frozen contract version is announced live (`contract.version`) to every member of the
territory, and to no one else; a member who reconnects gets it in `missed`."""
from __future__ import annotations

SLUG = "metropole"


def test_a_frozen_version_is_announced_to_members_only(connect, api, world):
    watchers = [connect(p) for p in (world.facilitator, world.actors[1], world.observer)]
    for live in watchers:
        assert live.join(SLUG)["ok"]
    outsider = connect(world.outsider)
    assert outsider.join("autre")["ok"]
    away = connect(world.actors[0])
    watermark = away.join(SLUG)["seq"]
    away.sio.disconnect()

    frozen = api(world.facilitator).post(f"/territories/{SLUG}/contract/versions",
                                         json={"note": "Relu en comité"})
    assert frozen.status_code == 201, frozen.text

    for live in watchers:
        event = live.wait_event("contract.version", number=1)
        assert event["territory"] == SLUG
        assert event["data"]["note"] == "Relu en comité"
        assert event["data"]["author"]["name"] == world.facilitator.name
    back = connect(world.actors[0])
    ack = back.join(SLUG, watermark)
    assert [(e["type"], e["data"]["number"]) for e in ack["missed"]] == [("contract.version", 1)]
    # The outsider's own territory moves on; nothing of "metropole" reached them.
    api(world.outsider).post("/territories/autre/contract/versions", json={})
    outsider.wait_event("contract.version", number=1)
    assert {e["territory"] for e in outsider.events} == {"autre"}
