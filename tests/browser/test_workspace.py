"""The chat workspace as members use it: two people in two browsers, live."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from concert.db import db
from concert.services import accounts, channels, posts, territories
from concert.services.access import access
from concert.schemas.workspace import PostInput
from concert.schemas.workspace import ChannelChanges, ChannelInput
from tests.browser.conftest import open_workspace

PHONE = {"width": 390, "height": 844}


# The live server writes to the same database. On SQLite, a transaction this process left
# open on an older snapshot could not write any more: each helper starts a fresh one.

def member_access(world, person):
    db.session.rollback()
    return access(accounts.find_user(person.email), world.slug)


def channel_ids(world) -> list[int]:
    ids = [c.id for c in channels.list_channels(member_access(world, world.actor))]
    db.session.rollback()
    return ids


def channel_name(channel_id: int) -> str:
    from concert.models import Channel

    name = db.session.get(Channel, channel_id).name
    db.session.rollback()
    return name


def compose(page, text: str, kind: str = "Message"):
    composer = page.locator('[data-composer="composer"]')
    composer.get_by_role("radio", name=kind).check()
    composer.get_by_label("Votre message").fill(text)
    composer.get_by_role("button", name="Envoyer").click()


def bodies(client, channel_id: int) -> list[str]:
    answer = client.get(f"/territories/metropole/posts?channel={channel_id}&limit=200")
    assert answer.status_code == 200, answer.text
    return [item["body"] for item in answer.json()["items"]]


def test_a_need_reaches_the_other_member_live_and_is_supported(server, world, new_context,
                                                               sign_in):
    author = open_workspace(sign_in(new_context().new_page(), world.actor), server)
    reader = open_workspace(sign_in(new_context().new_page(), world.actors[1]), server)

    compose(author, "Renforcer l'éclairage du parking de la gare", kind="Besoin")

    need = reader.locator(".post", has_text="Renforcer l'éclairage du parking de la gare")
    expect(need).to_be_visible(timeout=2000)
    expect(reader.locator("[data-announcer]")).to_have_text(
        f"Nouveau message de {world.actor.name} dans « {channel_name(channel_ids(world)[0])} »")
    expect(need.locator('[data-field="kind"]')).to_have_text("Besoin")
    expect(need.locator('[data-field="status"]')).to_have_text("Ouvert")
    expect(need.locator('[data-field="author"]')).to_have_text(world.actor.name)
    support = need.get_by_role("button", name=re.compile("Soutenir"))
    expect(support).to_have_attribute("aria-pressed", "false")
    support.click()
    expect(support).to_have_attribute("aria-pressed", "true")
    expect(support).to_contain_text("1")

    own = author.locator(".post", has_text="Renforcer l'éclairage du parking de la gare")
    expect(own.locator('[data-field="supports"]')).to_have_text("1 soutien")
    # Nobody supports their own contribution: no button for the author.
    expect(own.get_by_role("button", name=re.compile("Soutenir"))).to_be_hidden()


def test_a_declined_contribution_shows_its_status_and_reason_live(server, world, new_context,
                                                                  sign_in, api):
    need = posts.create_post(member_access(world, world.actor), PostInput(
        channel=channel_ids(world)[0], kind="need", body="Un besoin hors du champ du contrat"))[0].id
    facilitator = api(world.facilitator)
    page = open_workspace(sign_in(new_context().new_page(), world.actor), server)
    post = page.locator(f"#post-{need}")
    expect(post.get_by_role("button", name="Supprimer")).to_be_visible()

    answer = facilitator.post(f"/posts/{need}/decline", json={"reason": "Relève du CLSPD"})
    assert answer.status_code == 200, answer.text
    expect(post.locator('[data-field="status"]')).to_have_text("Non retenu", timeout=2000)
    expect(post.locator('[data-field="declined"]')).to_have_text("Motif : Relève du CLSPD")
    # A contribution the facilitators have dealt with stays, for the record.
    expect(post.get_by_role("button", name="Supprimer")).to_be_hidden()


def test_a_message_written_offline_waits_in_the_outbox_then_arrives_once(
        server, world, new_context, sign_in, api):
    channel = channel_ids(world)[0]
    reader_api = api(world.actors[1])
    context = new_context()
    page = open_workspace(sign_in(context.new_page(), world.actors[1]), server)
    others = open_workspace(sign_in(new_context().new_page(), world.actor), server)

    context.set_offline(True)
    expect(page.locator("[data-connection]")).to_contain_text("Hors ligne")
    compose(page, "Écrit dans le tunnel")
    waiting = page.locator(".post--pending", has_text="Écrit dans le tunnel")
    expect(waiting).to_contain_text("en attente d'envoi")
    assert "Écrit dans le tunnel" not in bodies(reader_api, channel)

    context.set_offline(False)
    expect(page.locator(".post[data-post-id]", has_text="Écrit dans le tunnel")).to_be_visible()
    expect(waiting).to_have_count(0)
    expect(page.locator("[data-connection]")).to_have_text("")
    expect(others.get_by_text("Écrit dans le tunnel")).to_be_visible()
    assert bodies(reader_api, channel).count("Écrit dans le tunnel") == 1


def test_a_refused_post_says_why_online_and_from_the_outbox(server, world, new_context,
                                                            sign_in):
    context = new_context()
    page = open_workspace(sign_in(context.new_page(), world.actors[1]), server)
    composer = page.locator('[data-composer="composer"]')

    compose(page, "   ")
    expect(composer.get_by_role("alert")).to_have_text("Le message est vide.")

    context.set_offline(True)
    compose(page, "x" * 10_001)
    context.set_offline(False)
    failed = page.locator(".post--failed")
    expect(failed).to_contain_text("non envoyé : Le message dépasse 10000 caractères.")
    failed.get_by_role("button", name="Reprendre le texte").click()
    expect(failed).to_have_count(0)
    expect(composer.get_by_label("Votre message")).to_have_value("x" * 10_001)
    expect(composer.get_by_label("Votre message")).to_be_focused()


def test_the_outbox_survives_a_reload(server, world, new_context, sign_in, api):
    channel = channel_ids(world)[0]
    reader_api = api(world.actors[1])
    context = new_context()
    page = open_workspace(sign_in(context.new_page(), world.actors[1]), server)

    context.set_offline(True)
    compose(page, "Gardé pendant la coupure")
    expect(page.locator(".post--pending", has_text="Gardé pendant la coupure")).to_be_visible()
    page.close()
    context.set_offline(False)

    again = open_workspace(context.new_page(), server)
    expect(again.locator(".post[data-post-id]", has_text="Gardé pendant la coupure")).to_be_visible()
    expect(again.locator(".post--pending")).to_have_count(0)
    assert bodies(reader_api, channel).count("Gardé pendant la coupure") == 1


def test_older_history_loads_when_scrolling_to_the_top(server, world, new_context, sign_in):
    channel = channel_ids(world)[0]
    where = member_access(world, world.actor)
    for number in range(1, 81):
        posts.create_post(where, PostInput(
            channel=channel, kind="message", body=f"Message d'archive n° {number:02d}"))
    page = open_workspace(sign_in(new_context().new_page(), world.actors[1]), server)

    listed = page.locator("[data-posts] > .post")
    expect(listed).to_have_count(50)
    expect(page.get_by_text("Message d'archive n° 80")).to_be_visible()
    expect(page.get_by_text("Message d'archive n° 01")).to_have_count(0)

    page.locator("[data-scroller]").evaluate("el => { el.scrollTop = -el.scrollHeight; }")
    expect(page.get_by_text("Message d'archive n° 01")).to_be_attached()
    expect(listed).to_have_count(80)
    texts = listed.locator('[data-field="body"]').all_inner_texts()
    assert texts == [f"Message d'archive n° {n:02d}" for n in range(1, 81)]
    # Loading history keeps the reader where they were, not thrown to the top or bottom.
    page.locator("[data-scroller]").evaluate("el => { el.scrollTop = -el.scrollHeight; }")
    expect(page.get_by_text("Message d'archive n° 01")).to_be_in_viewport()


def test_a_restricted_channel_is_listed_only_for_the_allowed_kinds(server, world, new_context,
                                                                   sign_in):
    channels.create_channel(territories.system_access(world.slug), ChannelInput(
        name="Cellule renseignement", restricted_to=["police_nationale"]))

    police = open_workspace(sign_in(new_context().new_page(), world.actor), server)
    link = police.get_by_role("link", name=re.compile("Cellule renseignement"))
    expect(link).to_be_visible()
    expect(link).to_contain_text("Canal réservé à : Police nationale")

    landlord = open_workspace(sign_in(new_context().new_page(), world.actors[1]), server)
    expect(landlord.get_by_role("navigation", name="Canaux")).to_be_visible()
    expect(landlord.get_by_text("Cellule renseignement")).to_have_count(0)


def test_an_archived_channel_is_listed_apart_and_read_only(server, world, new_context, sign_in):
    archived = channel_ids(world)[2]
    posts.create_post(member_access(world, world.actor), PostInput(
        channel=archived, kind="message", body="Compte rendu final"))
    channels.update_channel(territories.system_access(world.slug), archived, ChannelChanges(
        **{"archived": True}))
    name = channel_name(archived)
    page = open_workspace(sign_in(new_context().new_page(), world.actor), server)

    page.get_by_role("list", name="Canaux archivés (lecture seule)").get_by_role(
        "link", name=name).click()
    expect(page.get_by_role("heading", level=2, name=name)).to_be_visible()
    expect(page.get_by_text("Compte rendu final")).to_be_visible()
    expect(page.get_by_text("Ce canal est archivé")).to_be_visible()
    expect(page.get_by_label("Votre message")).to_be_hidden()
    page.get_by_role("link", name=channel_name(channel_ids(world)[0])).click()
    expect(page.get_by_label("Votre message")).to_be_visible()


def test_replies_open_in_a_thread_and_arrive_live(server, world, new_context, sign_in):
    channel = channel_ids(world)[0]
    parent = posts.create_post(member_access(world, world.actor), PostInput(
        channel=channel, kind="proposal", body="Patrouilles mixtes le samedi soir"))[0].id
    author = open_workspace(sign_in(new_context().new_page(), world.actor), server)
    replier = open_workspace(sign_in(new_context().new_page(), world.actors[1]), server)

    replier.locator(".post", has_text="Patrouilles mixtes").get_by_role("link", name="Répondre").click()
    thread = replier.get_by_role("complementary", name="Fil de discussion")
    expect(thread).to_be_visible()
    expect(replier).to_have_url(re.compile(rf"thread={parent}"))
    thread.get_by_label("Votre réponse").fill("Nous pouvons fournir un local")
    thread.get_by_role("button", name="Envoyer").click()
    expect(thread.get_by_text("Nous pouvons fournir un local")).to_be_visible()

    link = author.locator(f"#post-{parent}").get_by_role("link", name="1 réponse")
    expect(link).to_be_visible(timeout=2000)
    link.click()
    expect(author.get_by_role("complementary", name="Fil de discussion")
           .get_by_text("Nous pouvons fournir un local")).to_be_visible()
    author.keyboard.press("Escape")
    expect(author.get_by_role("complementary", name="Fil de discussion")).to_be_hidden()


def test_editing_shows_modified_with_its_history_and_deleting_leaves_a_placeholder(
        server, world, new_context, sign_in):
    author = open_workspace(sign_in(new_context().new_page(), world.actor), server)
    reader = open_workspace(sign_in(new_context().new_page(), world.actors[1]), server)
    compose(author, "Premier jet de la proposition", kind="Proposition")
    post = author.locator(".post[data-post-id]", has_text="Premier jet")

    post.get_by_role("button", name="Modifier").click()
    editor = post.get_by_label("Modifier le message")
    expect(editor).to_be_focused()
    editor.fill("Version corrigée de la proposition")
    post.get_by_role("button", name="Enregistrer").click()

    edited = reader.locator(".post", has_text="Version corrigée")
    expect(edited).to_be_visible(timeout=2000)
    edited.get_by_role("button", name=re.compile("modifié")).click()
    dialog = reader.get_by_role("dialog", name="Historique du message")
    expect(dialog).to_contain_text("Premier jet de la proposition")
    dialog.get_by_role("button", name="Fermer").click()

    author.once("dialog", lambda confirm: confirm.accept())
    author.locator(".post", has_text="Version corrigée").get_by_role("button", name="Supprimer").click()
    expect(reader.get_by_text("Ce message a été supprimé.")).to_be_visible(timeout=2000)
    expect(reader.locator("[data-posts]").get_by_text("Version corrigée")).to_have_count(0)


def test_presence_and_typing_are_shown(server, world, new_context, sign_in):
    watcher = open_workspace(sign_in(new_context().new_page(), world.actor), server)
    person = watcher.locator(f'.person[data-user-id="{world.actors[1].id}"]')
    expect(person).to_contain_text("hors ligne")

    typist = open_workspace(sign_in(new_context().new_page(), world.actors[1]), server)
    expect(person).to_contain_text("en ligne")
    expect(person).not_to_contain_text("hors ligne")
    typist.locator('[data-composer="composer"]').get_by_label("Votre message").press_sequentially("Bonj")
    expect(watcher.locator("[data-typing]")).to_have_text(f"{world.actors[1].name} écrit…")

    typist.close()
    expect(person).to_contain_text("hors ligne")


def test_connection_loss_is_visible(server, world, new_context, sign_in):
    context = new_context()
    page = open_workspace(sign_in(context.new_page(), world.actor), server)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")  # harmless when online
    context.set_offline(True)
    expect(page.locator("[data-connection]")).to_be_visible()
    context.set_offline(False)
    expect(page.locator("[data-connection]")).to_be_hidden()


def test_unread_counts_follow_the_other_channels(server, world, new_context, sign_in, api):
    second = channel_ids(world)[1]
    name = channel_name(second)
    writer = api(world.actor)
    reader = open_workspace(sign_in(new_context().new_page(), world.actors[1]), server)
    for kind, body in [("message", "Ailleurs"), ("need", "Encore ailleurs")]:
        answer = writer.post("/territories/metropole/posts",
                             json={"channel": second, "kind": kind, "body": body})
        assert answer.status_code == 201, answer.text

    link = reader.locator(f'a[data-channel-id="{second}"]')
    expect(link.locator("[data-unread]")).to_have_text("2 nouveaux messages")
    link.click()
    expect(reader.get_by_role("heading", level=2, name=name)).to_be_visible()
    expect(reader).to_have_url(re.compile(rf"channel={second}"))
    expect(reader.get_by_text("Encore ailleurs")).to_be_visible()
    expect(link.locator("[data-unread]")).to_be_hidden()


def test_observers_read_without_composer_nor_support(server, world, new_context, sign_in):
    posts.create_post(member_access(world, world.actor), PostInput(
        channel=channel_ids(world)[0], kind="need", body="Un besoin à lire"))
    page = open_workspace(sign_in(new_context().new_page(), world.observer), server)
    expect(page.get_by_text("Un besoin à lire")).to_be_visible()
    expect(page.get_by_text("Vous participez en observateur")).to_be_visible()
    expect(page.locator("form[data-composer]")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("Soutenir"))).to_have_count(0)


def test_posting_works_without_javascript(server, world, new_context, sign_in, api):
    reader_api = api(world.actors[1])
    page = sign_in(new_context(java_script_enabled=False).new_page(), world.actors[1])
    page.goto(server.url + "/t/metropole/")
    page.get_by_role("radio", name="Proposition").check()
    page.get_by_label("Votre message").fill("Proposition envoyée sans JavaScript")
    page.get_by_role("button", name="Envoyer").click()

    expect(page).to_have_url(re.compile(r"/t/metropole/\?channel=\d+#post-\d+$"))
    post = page.locator(".post", has_text="Proposition envoyée sans JavaScript")
    expect(post).to_be_visible()
    expect(post.locator('[data-field="kind"]')).to_have_text("Proposition")

    page.get_by_label("Votre message").fill("   ")
    page.get_by_role("button", name="Envoyer").click()
    # The page's empty alert regions are hidden by its stylesheet, which a loaded machine
    # may apply after the first look: find the alert by what it says.
    expect(page.get_by_role("alert").filter(has_text="Le message est vide.")).to_be_visible()
    assert bodies(reader_api, channel_ids(world)[0]).count(
        "Proposition envoyée sans JavaScript") == 1


def test_needs_and_proposals_are_filtered_and_sorted(server, world, new_context, sign_in, api):
    channel = channel_ids(world)[0]
    where = member_access(world, world.actor)
    popular = posts.create_post(where, PostInput(
        channel=channel, kind="proposal", body="Proposition soutenue"))[0].id
    posts.create_post(where, PostInput(channel=channel, kind="need", body="Besoin récent"))
    posts.create_post(where, PostInput(channel=channel, kind="message", body="Simple message"))
    for person in (world.actors[1], world.facilitator):
        posts.toggle_support(member_access(world, person), popular)
    facilitator_api = api(world.facilitator)

    page = sign_in(new_context().new_page(), world.actors[1])
    page.goto(server.url + "/t/metropole/")
    page.get_by_role("link", name="Besoins et propositions").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Besoins et propositions")
    items = page.locator("[data-posts] > .post")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("Proposition soutenue")
    expect(items.first.get_by_role("button", name=re.compile("Soutenir"))).to_have_attribute(
        "aria-pressed", "true")

    page.get_by_label("Trier par").select_option(label="Les plus récentes")
    page.get_by_role("button", name="Afficher").click()
    expect(items.first).to_contain_text("Besoin récent")
    page.get_by_label("Type").select_option(label="Propositions")
    page.get_by_role("button", name="Afficher").click()
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("Proposition soutenue")

    # Live: a support withdrawn elsewhere updates the count here.
    count = items.first.locator('[data-field="count"]')
    expect(count).to_have_text("2")
    expect(page.locator("[data-contributions]")).to_have_attribute("data-link-state", "online")
    assert facilitator_api.post(f"/posts/{popular}/support").status_code == 200
    expect(count).to_have_text("1")


def test_phone_layout_opens_channels_in_a_drawer(server, world, new_context, sign_in):
    page = open_workspace(sign_in(new_context(viewport=PHONE).new_page(), world.actor), server)
    sidebar = page.locator("[data-sidebar]")
    expect(sidebar).to_be_hidden()
    menu = page.get_by_role("button", name="Canaux et participants")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(sidebar).to_be_visible()
    expect(page.get_by_role("button", name="Fermer le menu")).to_be_focused()
    page.keyboard.press("Escape")
    expect(sidebar).to_be_hidden()
    expect(menu).to_be_focused()
    menu.click()
    name = channel_name(channel_ids(world)[1])
    page.get_by_role("link", name=name).click()
    expect(sidebar).to_be_hidden()
    expect(page.get_by_role("heading", level=2, name=name)).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways ({width}px)"


# --- accessibility -------------------------------------------------------------------

@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_workspace_pages_meet_wcag_21_aa(server, world, new_context, sign_in, axe, viewport):
    channel = channel_ids(world)[0]
    where = member_access(world, world.actor)
    need = posts.create_post(where, PostInput(
        channel=channel, kind="need", body="Un **besoin** avec [un lien](https://example.org)"))[0].id
    posts.create_post(where, PostInput(
        channel=channel, kind="message", body="Une réponse", reply_to=need))
    posts.toggle_support(member_access(world, world.actors[1]), need)
    db.session.rollback()
    options = {"bypass_csp": True} | ({"viewport": viewport} if viewport else {})
    page = sign_in(new_context(**options).new_page(), world.actors[1])

    open_workspace(page, server, f"/t/metropole/?channel={channel}&thread={need}")
    assert axe(page) == []
    page.goto(server.url + "/t/metropole/contributions")
    assert axe(page) == []


def test_a_document_chosen_in_the_composer_reaches_the_other_member_live(
        server, world, new_context, sign_in, tmp_path):
    from tests.conftest import document

    name, data, _type = document("png")
    path = tmp_path / name
    path.write_bytes(data)
    author = open_workspace(sign_in(new_context().new_page(), world.actor), server)
    reader = open_workspace(sign_in(new_context().new_page(), world.actors[1]), server)

    composer = author.locator('[data-composer="composer"]')
    composer.get_by_label("Joindre des documents").set_input_files(str(path))
    expect(composer.get_by_role("button", name="Retirer « plan.png »")).to_be_visible()
    compose(author, "Le plan des caméras de la gare")

    post = reader.locator(".post", has_text="Le plan des caméras de la gare")
    link = post.get_by_role("link", name="plan.png")
    expect(link).to_be_visible(timeout=2000)
    expect(post.locator(".attachment__meta")).to_have_text("PNG, 1 ko")
    expect(post.locator("img.attachment__thumbnail")).to_have_js_property("naturalWidth", 64)
    expect(composer.locator("[data-attach-list] li")).to_have_count(0)
