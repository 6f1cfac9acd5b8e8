"""The bell's pages without JavaScript: the header's count, the list, marking read, the
mail preferences form, and the unsubscription link a mail carries."""
from __future__ import annotations

import pytest

from concert.schemas.territories import PhaseInput
from concert.services import accounts, notifications, territories
from tests.conftest import _csrf_from, as_, client_sign_in

pytestmark = pytest.mark.usefixtures("french")


def submit(client, path: str, to: str | None = None, **data):
    page = client.get(path).get_data(as_text=True)
    return client.post(to or path, data={"csrf_token": _csrf_from(page), **data})


@pytest.fixture
def phased(world):
    """The facilitator moved the territory to drafting: every other member is told."""
    territories.set_phase(as_(world.facilitator), PhaseInput(phase="drafting"))


def test_the_bell_counts_and_the_page_lists_and_marks_read(client, world, phased):
    client_sign_in(client, world.actor.email)
    home = client.get("/").get_data(as_text=True)
    assert 'data-bell-count>1</span>' in home and "1 non lue" in home
    page = client.get("/notifications").get_data(as_text=True)
    assert "Le territoire passe en phase « Rédaction »." in page
    assert "Métropole test" in page
    answer = submit(client, "/notifications", "/notifications/read", all="1")
    assert answer.status_code == 302
    assert 'data-bell-count hidden>0</span>' in client.get("/").get_data(as_text=True)
    assert "aucune non lue" in client.get("/notifications").get_data(as_text=True)


def test_the_author_of_the_change_sees_no_bell_count(client, world, phased):
    client_sign_in(client, world.facilitator.email)
    assert 'data-bell-count hidden>0</span>' in client.get("/").get_data(as_text=True)


def test_the_preferences_form(client, world):
    client_sign_in(client, world.actor.email)
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert '<label for="pref-reply">' in page
    answer = submit(client, "/notifications/preferences", reply="weekly", phase="never")
    assert answer.status_code == 302
    chosen = notifications.preferences(accounts.find_user(world.actor.email))
    assert chosen["reply"] == "weekly" and chosen["phase"] == "never"
    refused = submit(client, "/notifications/preferences", reply="hourly")
    assert refused.status_code == 422
    assert notifications.preferences(accounts.find_user(world.actor.email))["reply"] == "weekly"


def test_the_unsubscription_link_asks_then_unsubscribes(client, world):
    url = notifications.unsubscribe_url(world.actor.id, "daily")
    path = "/" + url.split("/", 3)[3]
    page = client.get(path)  # a mail scanner following the link changes nothing
    assert page.status_code == 200 and "le résumé quotidien" in page.get_data(as_text=True)
    user = accounts.find_user(world.actor.email)
    assert notifications.preferences(user)["phase"] == "daily"
    done = client.post(path)
    assert done.status_code == 200 and "C'est fait" in done.get_data(as_text=True)
    chosen = notifications.preferences(user)
    assert all(chosen[c] == "never" for c, f in notifications.DEFAULT_FREQUENCIES.items()
               if f == "daily")
    assert chosen["reply"] == "immediate"
    assert client.get(path[:-3] + "abc").status_code == 404
