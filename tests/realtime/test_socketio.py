"""Socket.IO as SPEC describes it, with real python-socketio clients against a real
`concert run` process, on SQLite and on PostgreSQL."""
from __future__ import annotations

import json
import threading
from types import SimpleNamespace

import pytest
import requests
import socketio

from .conftest import Live, fence, new_id, presence_of, token_of

SLUG = "metropole"
BOTH_TRANSPORTS = pytest.mark.parametrize("transports", [("websocket",), ("polling",)],
                                          ids=["websocket", "polling"])


@pytest.fixture
def joined(connect):
    """Connects `person` and joins `slug`."""

    def join(person, slug=SLUG, **options):
        live = connect(person, **options)
        ack = live.join(slug)
        assert ack["ok"], ack
        return live

    return join


@pytest.fixture
def everyone(joined, world):
    """Every member of "metropole" connected and joined, and the outsider joined to "autre"."""

    def connect_all(transports=("websocket",)):
        return SimpleNamespace(
            facilitator=joined(world.facilitator, transports=transports),
            police=joined(world.actors[0], transports=transports),
            bailleur=joined(world.actors[1], transports=transports),
            observer=joined(world.observer, transports=transports),
            outsider=joined(world.outsider, "autre", transports=transports),
        )

    return connect_all


@pytest.fixture
def state_only(api, world) -> int:
    """A channel restricted to State services: police nationale and préfecture."""
    created = api(world.facilitator).post(f"/territories/{SLUG}/channels", json={
        "name": "État seulement", "restricted_to": ["police_nationale", "prefecture"]})
    assert created.status_code == 201, created.text
    assert created.json()["restricted_to"] == ["police_nationale", "prefecture"]
    return created.json()["id"]


def of_territory(live, slug=SLUG) -> list[dict]:
    return [e for e in live.events if e["territory"] == slug]


def mentions(events: list[dict], post_id: int, channel: int) -> list[dict]:
    """Events about that post or that channel (typing included)."""
    return [e for e in events if e["data"].get("id") == post_id
            or e["data"].get("channel") == channel]


# --- connecting ----------------------------------------------------------------------------

def test_connect_without_valid_credentials_is_refused(server, world):
    refusals = [None, {}, {"token": "cct_not-a-token"}, {"token": 12}, "cct_a-bare-string",
                {"token": token_of(world.actor), "extra": 1}]
    for auth in refusals:
        refused = Live(f"auth={auth!r}")
        with pytest.raises(socketio.exceptions.ConnectionError):
            refused.sio.connect(server.url, auth=auth, transports=["websocket"],
                                wait_timeout=30)
        # Why, for people (message) and for programs (data.code).
        assert refused.refusal["data"]["code"] == "unauthorized", auth
        assert refused.refusal["message"] == refused.refusal["data"]["message"] != ""
        assert not refused.sio.connected


def test_the_session_cookie_of_the_login_form_connects_until_logout(connect, server, world,
                                                                   login, csrf_from):
    browser = requests.Session()
    assert login(browser, server.url, world.actor.email).status_code in (302, 303)
    cookie = {"Cookie": f"concert_session={browser.cookies['concert_session']}"}
    for transports in (("websocket",), ("polling",)):
        live = connect(auth=None, headers=cookie, transports=transports)
        assert live.join(SLUG)["ok"], transports
    # Another site's page cannot borrow the cookie (cross-site WebSocket hijacking).
    with pytest.raises(socketio.exceptions.ConnectionError):
        connect(auth=None, headers={**cookie, "Origin": "https://evil.example"},
                transports=("polling",))

    token = csrf_from(browser.get(server.url + "/logout").text)
    assert browser.post(server.url + "/logout", data={"csrf_token": token},
                        allow_redirects=False).status_code in (302, 303)
    with pytest.raises(socketio.exceptions.ConnectionError):
        connect(auth=None, headers=cookie)


# --- join ----------------------------------------------------------------------------------

def test_a_non_member_joining_gets_not_found_like_an_unknown_territory(connect, world):
    outsider = connect(world.outsider)
    hidden = outsider.join(SLUG)
    unknown = outsider.join("nowhere")
    assert hidden["ok"] is False and hidden["error"]["code"] == "not_found"
    assert hidden == unknown


def test_join_answers_the_latest_seq_what_was_missed_and_who_is_online(
        connect, api, world, general):
    first = api(world.facilitator).post(f"/territories/{SLUG}/posts", json={
        "channel": general, "kind": "need", "body": "Un besoin", "client_id": new_id()}).json()
    live = connect(world.actor)

    fresh = live.join(SLUG)
    assert fresh["ok"] is True
    assert fresh["seq"] == first["seq"]
    assert fresh["missed"] == []
    assert world.actor.id in [person["id"] for person in fresh["presence"]]

    from_start = live.join(SLUG, after_seq=0)
    assert [(e["seq"], e["type"], e["data"]["id"]) for e in from_start["missed"]] == [
        (first["seq"], "post.created", first["id"])]
    assert from_start["missed"][0]["territory"] == SLUG


def test_after_seq_must_be_an_integer_or_null(connect, world):
    live = connect(world.actor)
    not_an_object = live.call("join", SLUG)
    assert not_an_object["ok"] is False and not_an_object["error"]["code"] == "invalid"
    for after_seq in ("3", 1.5, True, [1], {"seq": 1}):
        answer = live.join(SLUG, after_seq=after_seq)
        assert answer["ok"] is False, after_seq
        assert answer["error"]["code"] == "invalid" and answer["error"]["field"] == "after_seq"
    assert live.join(SLUG, after_seq=-1)["ok"]


# --- delivery ------------------------------------------------------------------------------

@BOTH_TRANSPORTS
def test_a_socket_post_reaches_every_member_and_no_one_else(
        everyone, api, world, general, elsewhere, transports):
    room = everyone(transports)
    ack = room.police.post(SLUG, general, "Point de deal **rue Lafayette**", kind="need")
    assert ack["ok"] is True
    post = ack["post"]
    assert post["body"] == "Point de deal **rue Lafayette**" and post["kind"] == "need"
    assert api(world.actor).get(f"/posts/{post['id']}").json().items() >= post.items()

    for member in (room.facilitator, room.police, room.bailleur, room.observer):
        event = member.wait_event("post.created", id=post["id"])
        assert event == {"territory": SLUG, "seq": post["seq"], "type": "post.created",
                         "data": post}
    fence([(room.outsider, "autre", elsewhere)], [room.outsider])
    assert of_territory(room.outsider) == []


def test_a_post_through_the_api_is_broadcast_the_same_way(everyone, api, world, general,
                                                          elsewhere):
    room = everyone()
    created = api(world.facilitator).post(f"/territories/{SLUG}/posts", json={
        "channel": general, "kind": "proposal", "body": "Cellule de veille",
        "client_id": new_id()})
    assert created.status_code == 201
    post = created.json()
    for member in (room.facilitator, room.police, room.bailleur, room.observer):
        assert member.wait_event("post.created", id=post["id"]) == {
            "territory": SLUG, "seq": post["seq"], "type": "post.created", "data": post}
    fence([(room.outsider, "autre", elsewhere)], [room.outsider])
    assert of_territory(room.outsider) == []


def test_support_edit_and_delete_are_broadcast_and_delete_empties_the_body_everywhere(
        everyone, connect, api, world, general, elsewhere):
    room = everyone()
    police, bailleur = api(world.actors[0]), api(world.actors[1])
    post = police.post(f"/territories/{SLUG}/posts", json={
        "channel": general, "kind": "proposal", "body": "Texte confidentiel d'origine",
        "client_id": new_id()}).json()

    assert bailleur.post(f"/posts/{post['id']}/support").json()["supported"] is True
    supported = room.observer.wait_event("post.supported", id=post["id"], supported=True)
    assert supported["data"]["supports"] == 1 and supported["seq"] > post["seq"]
    assert supported["data"]["user"]["id"] == world.actors[1].id
    assert bailleur.post(f"/posts/{post['id']}/support").json()["supported"] is False
    assert room.observer.wait_event("post.supported", id=post["id"],
                                    supported=False)["data"]["supports"] == 0

    edited = police.patch(f"/posts/{post['id']}", json={"body": "Texte modifié, aussi secret"})
    assert edited.status_code == 200
    for member in (room.facilitator, room.bailleur, room.observer):
        updated = member.wait_event("post.updated", id=post["id"])
        assert updated["seq"] == max(e["seq"] for e in member.events if e["seq"] is not None)
        assert updated["data"]["body"] == "Texte modifié, aussi secret"
        assert updated["data"]["edited_at"]

    assert police.delete(f"/posts/{post['id']}").status_code == 200
    for member in (room.facilitator, room.police, room.bailleur, room.observer):
        deleted = member.wait_event("post.deleted", id=post["id"])
        assert deleted["data"]["deleted"] is True
        assert deleted["data"]["body"] == deleted["data"]["html"] == ""

    catch_up = connect(world.observer).join(SLUG, after_seq=0)
    assert [e["type"] for e in catch_up["missed"]] == [
        "post.created", "post.supported", "post.supported", "post.updated", "post.deleted"]
    assert "confidentiel" not in json.dumps(catch_up["missed"])
    assert "secret" not in json.dumps(catch_up["missed"])
    listed = api(world.observer).get(f"/territories/{SLUG}/posts").json()["items"]
    assert [(p["id"], p["body"], p["deleted"]) for p in listed] == [(post["id"], "", True)]
    assert api(world.observer).get(f"/posts/{post['id']}").json()["body"] == ""
    fence([(room.outsider, "autre", elsewhere)], [room.outsider])
    assert of_territory(room.outsider) == []


def test_nothing_of_another_territory_is_reachable_through_the_socket(
        joined, api, world, general, elsewhere):
    police = joined(world.actors[0])
    theirs = api(world.outsider).post("/territories/autre/posts", json={
        "channel": elsewhere, "kind": "need", "body": "Chez nous", "client_id": new_id()})
    assert theirs.status_code == 201
    refusals = [
        police.join("autre"),
        police.post("autre", elsewhere, "Pas chez moi"),
        police.post(SLUG, elsewhere, "Canal d'un autre territoire"),
        police.post(SLUG, general, "Réponse", reply_to=theirs.json()["id"]),
        police.typing("autre", elsewhere),
        police.typing(SLUG, elsewhere),
    ]
    for answer in refusals:
        assert answer["ok"] is False and answer["error"]["code"] == "not_found", answer
    assert api(world.actors[0]).get(f"/posts/{theirs.json()['id']}").status_code == 404
    fence([(police, SLUG, general)], [police])
    assert [e for e in police.events if e["territory"] != SLUG] == []


# --- restricted channels -------------------------------------------------------------------

def test_a_restricted_channel_reaches_only_the_kinds_it_names_live(
        everyone, api, world, general, state_only):
    room = everyone()
    secret = room.police.post(SLUG, state_only, "Opération prévue jeudi", kind="proposal")
    assert secret["ok"], secret
    post = secret["post"]
    assert api(world.facilitator).post(f"/posts/{post['id']}/support").status_code == 200
    assert api(world.actors[0]).patch(f"/posts/{post['id']}",
                                      json={"body": "Opération prévue vendredi"}).ok
    assert room.police.typing(SLUG, state_only) == {"ok": True}

    for allowed in (room.facilitator, room.police):
        assert allowed.wait_event("post.created", id=post["id"])["seq"] == post["seq"]
        allowed.wait_event("post.supported", id=post["id"])
        allowed.wait_event("post.updated", id=post["id"])
    typing = room.facilitator.wait_event("typing", channel=state_only)
    assert typing["seq"] is None and typing["data"]["user"]["id"] == world.actors[0].id

    fence([(room.police, SLUG, general)], [room.bailleur, room.observer])
    for kept_out in (room.bailleur, room.observer):
        assert mentions(kept_out.events, post["id"], state_only) == []


def test_a_restricted_channel_stays_out_of_other_kinds_catch_up(connect, api, world,
                                                                state_only):
    posted = api(world.actors[0]).post(f"/territories/{SLUG}/posts", json={
        "channel": state_only, "kind": "need", "body": "Renfort demandé",
        "client_id": new_id()}).json()
    api(world.facilitator).post(f"/posts/{posted['id']}/support")

    for person in (world.actors[0], world.facilitator):
        missed = connect(person).join(SLUG, after_seq=0)["missed"]
        assert [e["type"] for e in missed] == ["post.created", "post.supported"]
    for person in (world.actors[1], world.observer):
        answer = connect(person).join(SLUG, after_seq=0)
        assert answer["ok"] and answer["missed"] == []


def test_a_restricted_channel_is_not_found_through_the_api_for_other_kinds(
        connect, api, world, general, state_only):
    posted = api(world.actors[0]).post(f"/territories/{SLUG}/posts", json={
        "channel": state_only, "kind": "proposal", "body": "Renfort demandé",
        "client_id": new_id()}).json()
    assert api(world.actors[0]).get(f"/posts/{posted['id']}").status_code == 200

    for person in (world.actors[1], world.observer):
        other = api(person)
        channels = other.get(f"/territories/{SLUG}/channels").json()["items"]
        assert state_only not in [c["id"] for c in channels]
        for query in ("", "?kind=proposal", "?order=supports", "?after_seq=0",
                      f"?before_seq={posted['seq'] + 1}"):
            listed = other.get(f"/territories/{SLUG}/posts{query}")
            assert listed.status_code == 200 and listed.json()["items"] == [], query
        assert other.get(f"/territories/{SLUG}/posts?channel={state_only}").status_code == 404
        assert other.get(f"/posts/{posted['id']}").status_code == 404
        assert other.get(f"/posts/{posted['id']}/revisions").status_code == 404
    bailleur = api(world.actors[1])
    assert bailleur.post(f"/posts/{posted['id']}/support").status_code == 404
    assert bailleur.patch(f"/posts/{posted['id']}", json={"body": "x"}).status_code == 404
    assert bailleur.delete(f"/posts/{posted['id']}").status_code == 404
    reply = bailleur.post(f"/territories/{SLUG}/posts", json={
        "channel": state_only, "kind": "message", "body": "Je réponds",
        "reply_to": posted["id"], "client_id": new_id()})
    assert reply.status_code == 404

    socket = connect(world.actors[1])
    assert socket.join(SLUG)["ok"]
    assert socket.post(SLUG, state_only, "Puis-je ?")["error"]["code"] == "not_found"
    assert socket.typing(SLUG, state_only)["error"]["code"] == "not_found"
    assert api(world.actors[0]).get(f"/territories/{SLUG}/posts").json()["items"][-1]["id"] \
        == posted["id"]


# --- who may post what ---------------------------------------------------------------------

def test_observers_cannot_post(joined, api, world, general):
    observer = joined(world.observer)
    answer = observer.post(SLUG, general, "Je voudrais dire…")
    assert answer["ok"] is False and answer["error"]["code"] == "forbidden"
    assert answer["error"]["message"]
    through_api = api(world.observer).post(f"/territories/{SLUG}/posts", json={
        "channel": general, "kind": "message", "body": "Et par l'API ?"})
    assert through_api.status_code == 403
    assert api(world.actors[0]).get(f"/territories/{SLUG}/posts").json()["items"] == []


def test_empty_or_oversized_bodies_are_refused_and_nothing_is_stored(joined, connect, api,
                                                                     world, general):
    police, observer = joined(world.actors[0]), connect(world.observer)
    latest = observer.join(SLUG)["seq"]
    for body in ("", "   \n ", "x" * 10_001, None, 42):
        answer = police.post(SLUG, general, body)
        assert answer["ok"] is False
        assert answer["error"]["code"] == "invalid" and answer["error"]["field"] == "body"
        assert answer["error"]["message"]
        through_api = api(world.actors[0]).post(f"/territories/{SLUG}/posts", json={
            "channel": general, "kind": "message", "body": body, "client_id": new_id()})
        assert through_api.status_code == 422
        assert through_api.json()["error"]["field"] == "body"

    longest = police.post(SLUG, general, "y" * 10_000)
    assert longest["ok"] and len(longest["post"]["body"]) == 10_000
    # The first event anyone receives is the accepted post: nothing came before it.
    first = observer.wait_event("post.created")
    assert first["data"]["id"] == longest["post"]["id"] and first["seq"] == latest + 1
    listed = api(world.actors[0]).get(f"/territories/{SLUG}/posts").json()["items"]
    assert [p["id"] for p in listed] == [longest["post"]["id"]]


# --- idempotence ---------------------------------------------------------------------------

def test_a_retried_post_is_stored_once(joined, api, world, general):
    police, observer = joined(world.actors[0]), joined(world.observer)
    client_id = new_id()
    first = police.post(SLUG, general, "Envoyé deux fois", client_id=client_id)
    again = police.post(SLUG, general, "Envoyé deux fois", client_id=client_id)
    assert first["ok"] and again["ok"]
    assert again["post"] == first["post"]
    retried = api(world.actors[0]).post(f"/territories/{SLUG}/posts", json={
        "channel": general, "kind": "message", "body": "Envoyé deux fois",
        "client_id": client_id})
    assert retried.status_code == 200 and retried.json().items() >= first["post"].items()

    # The same client_id from someone else is their own post.
    bailleur = joined(world.actors[1])
    theirs = bailleur.post(SLUG, general, "Même identifiant", client_id=client_id)
    assert theirs["ok"] and theirs["post"]["id"] != first["post"]["id"]

    observer.wait_event("post.created", id=theirs["post"]["id"])
    assert [e["data"]["id"] for e in observer.of("post.created")] == [
        first["post"]["id"], theirs["post"]["id"]]
    listed = api(world.observer).get(f"/territories/{SLUG}/posts").json()["items"]
    assert [p["id"] for p in listed] == [first["post"]["id"], theirs["post"]["id"]]


def test_concurrent_retries_of_one_post_store_it_once(joined, world, general):
    """The same client_id racing in on several connections at once (an outbox flushed
    twice): one post, one event."""
    clients = [joined(world.actors[0]) for _ in range(4)]
    observer = joined(world.observer)
    client_id = new_id()
    answers: list[dict] = []
    barrier = threading.Barrier(len(clients))

    def send(live):
        barrier.wait()
        answers.append(live.post(SLUG, general, "Une seule fois", client_id=client_id))

    threads = [threading.Thread(target=send, args=(live,)) for live in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(a["ok"] for a in answers), answers
    assert len({a["post"]["id"] for a in answers}) == 1
    fence([(clients[0], SLUG, general)], [observer])
    assert len(observer.of("post.created", id=answers[0]["post"]["id"])) == 1


# --- reconnecting --------------------------------------------------------------------------

def test_a_reconnecting_client_gets_exactly_what_it_missed(joined, connect, api, world,
                                                           general):
    observer = joined(world.observer)
    police = joined(world.actors[0])
    away = joined(world.actors[1])
    before = police.post(SLUG, general, "Avant la coupure")["post"]
    last_seq = away.wait_event("post.created", id=before["id"])["seq"]
    away.sio.disconnect()

    while_away = [police.post(SLUG, general, f"Pendant la coupure {n}")["post"]
                  for n in range(3)]
    facilitator = api(world.facilitator)
    while_away += [facilitator.post(f"/territories/{SLUG}/posts", json={
        "channel": general, "kind": "need", "body": f"Besoin {n}", "client_id": new_id()
    }).json() for n in range(2)]
    assert api(world.actors[0]).patch(f"/posts/{while_away[0]['id']}",
                                      json={"body": "Corrigé pendant la coupure"}).ok
    observer.wait_event("post.updated", id=while_away[0]["id"])

    back = connect(world.actors[1])
    answer = back.join(SLUG, after_seq=last_seq)
    assert answer["ok"]
    missed = answer["missed"]
    assert [e["seq"] for e in missed] == list(range(last_seq + 1, last_seq + 7))
    assert [(e["type"], e["data"]["id"]) for e in missed] == [
        *[("post.created", p["id"]) for p in while_away],
        ("post.updated", while_away[0]["id"])]
    assert answer["seq"] == missed[-1]["seq"]
    live_seen = {e["seq"]: e for e in observer.events if e["seq"] is not None}
    assert missed == [live_seen[e["seq"]] for e in missed]


# --- ephemeral events ----------------------------------------------------------------------

def test_typing_and_presence_are_ephemeral(joined, connect, world, general):
    police = joined(world.actors[0])
    bailleur = joined(world.actors[1])
    online = presence_of(police, world.actors[1].id, True)
    assert online["seq"] is None and online["territory"] == SLUG
    assert online["data"]["user"]["organisation_kind"] == "bailleur_social"

    assert bailleur.typing(SLUG, general) == {"ok": True}
    typing = police.wait_event("typing")
    assert typing == {"territory": SLUG, "seq": None, "type": "typing", "data": {
        "channel": general, "user": {"id": world.actors[1].id, "name": world.actors[1].name}}}
    fence([(bailleur, SLUG, general)], [bailleur])
    assert bailleur.of("typing") == []  # not sent back to the one typing

    bailleur.sio.disconnect()
    assert presence_of(police, world.actors[1].id, False)["seq"] is None

    missed = connect(world.observer).join(SLUG, after_seq=0)["missed"]
    assert [e["type"] for e in missed] == ["post.created"]
    assert all(isinstance(e["seq"], int) for e in missed)


# --- removal -------------------------------------------------------------------------------

def test_a_removed_member_stops_receiving_the_territory(joined, connect, api, world, base,
                                                        general):
    gone = world.actors[1]
    base.join("autre", gone.email, gone.name, "actor", "Habitat 13", "bailleur_social")
    removed = joined(gone)
    assert removed.join("autre")["ok"]
    police = joined(world.actors[0])
    facilitator = api(world.facilitator)
    membership = next(m for m in facilitator.get(f"/territories/{SLUG}/members").json()["items"]
                      if m["user"]["id"] == gone.id)
    fence([(police, SLUG, general)], [removed])
    seen = len(removed.events)

    assert facilitator.delete(f"/territories/{SLUG}/members/{membership['id']}").ok
    # The others see them leave, and they are no longer listed as online.
    assert presence_of(police, gone.id, False)["seq"] is None
    assert police.post(SLUG, general, "Après le départ")["ok"]
    assert police.typing(SLUG, general)["ok"]
    facilitator.post(f"/territories/{SLUG}/posts", json={
        "channel": general, "kind": "need", "body": "Par l'API", "client_id": new_id()})
    observer = connect(world.observer)  # a presence event in the territory
    assert gone.id not in [p["id"] for p in observer.join(SLUG)["presence"]]
    # Their sockets were closed (joined or not); what they had received stops before it.
    assert removed.wait_closed()
    assert [e for e in removed.events[seen:] if e["territory"] == SLUG] == []

    again = connect(gone)  # still signed in: they reconnect, to their other territory only
    assert again.join(SLUG)["error"]["code"] == "not_found"
    assert again.post(SLUG, general, "Encore là ?")["error"]["code"] == "not_found"
    assert again.typing(SLUG, general)["error"]["code"] == "not_found"
    assert again.join("autre")["ok"]


# --- concurrency ---------------------------------------------------------------------------

def test_concurrent_posts_get_distinct_gap_free_seqs(joined, api, world, general):
    writers = [joined(world.facilitator), joined(world.actors[0]), joined(world.actors[1])]
    observer = joined(world.observer)
    acks: list[dict] = []
    barrier = threading.Barrier(len(writers))

    def write(live):
        barrier.wait()
        acks.extend(live.post(SLUG, general, f"{live.label} {n}") for n in range(10))

    threads = [threading.Thread(target=write, args=(live,)) for live in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(a["ok"] for a in acks), [a for a in acks if not a["ok"]]
    seqs = sorted(a["post"]["seq"] for a in acks)
    assert seqs == list(range(seqs[0], seqs[0] + 30))

    for live in (*writers, observer):
        live.wait_for(lambda events: len([e for e in events if e["type"] == "post.created"])
                      >= 30)
        assert sorted(e["seq"] for e in live.of("post.created")) == seqs
    stored = api(world.observer).get(f"/territories/{SLUG}/posts?after_seq=0&limit=200")
    assert [p["seq"] for p in stored.json()["items"]] == seqs


def test_concurrent_supports_are_all_counted(joined, api, base, world, general):
    """Members supporting one proposal at the same moment (a workshop's vote): every
    support counts, in the stored post and in the last event."""
    supporters = [world.facilitator, world.actors[1]] + [
        base.join(SLUG, f"soutien{n}@example.org", f"Soutien {n}", "actor", f"Commune {n}",
                  "commune") for n in range(4)]
    observer = joined(world.observer)
    proposal = api(world.actors[0]).post(f"/territories/{SLUG}/posts", json={
        "channel": general, "kind": "proposal", "body": "Une cellule de veille",
        "client_id": new_id()}).json()
    clients = [api(person) for person in supporters]
    answers: list[int] = []
    barrier = threading.Barrier(len(clients))

    def support(client):
        barrier.wait()
        answers.append(client.post(f"/posts/{proposal['id']}/support").status_code)

    threads = [threading.Thread(target=support, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200] * len(supporters)
    assert api(world.actors[0]).get(f"/posts/{proposal['id']}").json()["supports"] \
        == len(supporters)
    observer.wait_for(lambda events: len(observer.of("post.supported")) == len(supporters))
    by_seq = sorted(observer.of("post.supported"), key=lambda e: e["seq"])
    assert [e["data"]["supports"] for e in by_seq] == list(range(1, len(supporters) + 1))


def test_a_double_click_on_support_toggles_twice_without_error(api, world, general):
    proposal = api(world.actors[0]).post(f"/territories/{SLUG}/posts", json={
        "channel": general, "kind": "proposal", "body": "Un local jeunes",
        "client_id": new_id()}).json()
    clicks = [api(world.actors[1]) for _ in range(2)]
    answers: list = []
    barrier = threading.Barrier(len(clicks))

    def click(client):
        barrier.wait()
        answers.append(client.post(f"/posts/{proposal['id']}/support"))

    threads = [threading.Thread(target=click, args=(client,)) for client in clicks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [200, 200]
    assert sorted(a.json()["supported"] for a in answers) == [False, True]
    assert api(world.actors[1]).get(f"/posts/{proposal['id']}").json()["supports"] == 0
