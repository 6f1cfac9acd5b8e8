"""Facilitation from the chat, as people do it: the facilitator promotes and declines
contributions; their authors see the outcome live; a commitment's source opens the chat on
the original message."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from concert.services import posts

from .test_workspace import channel_ids, member_access, open_workspace
from concert.schemas.workspace import PostInput


def commitments_page(page, server):
    page.goto(server.url + "/t/metropole/commitments")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    return page


def test_the_facilitator_promotes_a_need_from_the_chat_and_its_author_sees_it_live(
        server, world, new_context, sign_in):
    channel = channel_ids(world)[0]
    need = posts.create_post(member_access(world, world.actors[0]), PostInput(
        channel=channel, kind="need", body="Des médiateurs de nuit autour de la gare"))[0].id
    # The author: the chat in one browser, the commitments page in another.
    author = open_workspace(sign_in(new_context().new_page(), world.actors[0]), server)
    watcher = commitments_page(sign_in(new_context().new_page(), world.actors[0]), server)
    own = author.locator(f"#post-{need}")
    expect(own.locator('[data-field="status"]')).to_have_text("Ouvert")
    # Actors are not offered facilitation.
    expect(own.get_by_role("link", name="Retenir comme engagement")).to_be_hidden()
    expect(own.locator("summary", has_text="Écarter")).to_be_hidden()

    facilitator = open_workspace(sign_in(new_context().new_page(), world.facilitator), server)
    facilitator.locator(f"#post-{need}").get_by_role("link", name="Retenir comme engagement").click()
    expect(facilitator.get_by_role("heading", level=1)).to_have_text("Nouvel engagement")
    facilitator.get_by_label("Intitulé").fill("Médiation de nuit autour de la gare")
    facilitator.get_by_label("Partie qui s'engage").select_option("collectivite")
    facilitator.locator(".commitment-form [type=submit]").click()
    expect(facilitator.get_by_role("heading", level=1)).to_contain_text(
        "Médiation de nuit autour de la gare")

    # Without reloading: the badge on the author's message, the commitment on their page.
    expect(own.locator('[data-field="status"]')).to_have_text("Retenu", timeout=5000)
    expect(own.locator('[data-field="commitments"]')).to_contain_text(
        "Médiation de nuit autour de la gare")
    expect(watcher.get_by_role("link", name=re.compile("Médiation de nuit autour de la gare"))
           ).to_be_visible(timeout=5000)

    # The commitment's source opens the chat on the original message, highlighted.
    facilitator.get_by_role("link", name=f"Contribution de {world.actors[0].name}").click()
    highlighted = facilitator.locator(f"#post-{need}")
    expect(highlighted).to_have_class(re.compile(r"\bpost--highlight\b"))
    expect(highlighted).to_be_focused()
    expect(highlighted).to_be_in_viewport()


def test_the_facilitator_declines_from_the_chat_with_a_reason_then_reopens(
        server, world, new_context, sign_in):
    channel = channel_ids(world)[0]
    need = posts.create_post(member_access(world, world.actors[0]), PostInput(
        channel=channel, kind="proposal", body="Un festival de quartier tous les week-ends"))[0].id
    author = open_workspace(sign_in(new_context().new_page(), world.actors[0]), server)
    facilitator = open_workspace(sign_in(new_context().new_page(), world.facilitator), server)
    post = facilitator.locator(f"#post-{need}")

    # With the keyboard: open the form, submit it empty (refused), then with a reason.
    summary = post.locator("summary", has_text="Écarter")
    summary.focus()
    facilitator.keyboard.press("Enter")
    reason = post.get_by_label("Motif du refus (visible par tous)")
    expect(reason).to_be_visible()
    reason.fill("   ")
    post.get_by_role("button", name="Écarter la contribution").click()
    expect(post.locator('[data-error]')).to_have_text("Indiquez le motif du refus.")
    reason.fill("Hors du champ du contrat de sécurité")
    reason.press("Tab")
    facilitator.keyboard.press("Tab")  # past the error region to the button
    post.get_by_role("button", name="Écarter la contribution").press("Enter")
    expect(post.locator('[data-field="status"]')).to_have_text("Non retenu")
    expect(post.get_by_role("button", name="Rouvrir")).to_be_focused()

    own = author.locator(f"#post-{need}")
    expect(own.locator('[data-field="status"]')).to_have_text("Non retenu", timeout=5000)
    expect(own.locator('[data-field="declined"]')).to_have_text(
        "Motif : Hors du champ du contrat de sécurité")

    post.get_by_role("button", name="Rouvrir").click()
    expect(own.locator('[data-field="status"]')).to_have_text("Ouvert", timeout=5000)
    expect(own.locator('[data-field="declined"]')).to_be_hidden()
    expect(post.locator("summary", has_text="Écarter")).to_be_visible()


def test_the_contributions_page_promotes_a_selection(server, world, new_context, sign_in):
    channel = channel_ids(world)[0]
    first = posts.create_post(member_access(world, world.actors[0]), PostInput(
        channel=channel, kind="need", body="Un poste de secours au marché"))[0].id
    second = posts.create_post(member_access(world, world.actors[1]), PostInput(
        channel=channel, kind="proposal", body="Des secouristes bénévoles le dimanche"))[0].id
    page = sign_in(new_context().new_page(), world.facilitator)
    page.goto(server.url + "/t/metropole/contributions")
    for post_id in (first, second):
        page.locator(f"#post-{post_id}").get_by_role("checkbox").check()
    page.get_by_role("button", name="Retenir la sélection comme engagement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvel engagement")
    assert sorted(re.findall(r"source=(\d+)", page.url)) == sorted([str(first), str(second)])
    expect(page.get_by_text("Un poste de secours au marché")).to_be_visible()
    expect(page.get_by_text("Des secouristes bénévoles le dimanche")).to_be_visible()


def test_a_linked_post_beyond_the_latest_page_is_loaded_and_highlighted(
        server, world, new_context, sign_in):
    channel = channel_ids(world)[0]
    need = posts.create_post(member_access(world, world.actors[0]), PostInput(
        channel=channel, kind="need", body="Un besoin ancien, loin dans l'historique"))[0].id
    for n in range(60):
        posts.create_post(member_access(world, world.actors[1]), PostInput(
            channel=channel, kind="message", body=f"Message suivant {n}"))
    page = sign_in(new_context().new_page(), world.actors[1])
    page.goto(f"{server.url}/t/metropole/?channel={channel}&post={need}#post-{need}")
    highlighted = page.locator(f"#post-{need}")
    expect(highlighted).to_have_class(re.compile(r"\bpost--highlight\b"))
    expect(highlighted).to_be_focused()
    expect(highlighted).to_be_in_viewport()
