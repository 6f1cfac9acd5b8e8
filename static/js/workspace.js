// The chat workspace (/t/<slug>/). The page arrives complete from the server (channel list,
// latest posts, forms that work without JavaScript); this module keeps it live: events from
// Socket.IO, history loaded on scroll, channel and thread switching without reload, the
// outbox, presence, typing, unread counts.
import {
  api, apiBase, format, formatDate, newClientId, plural, readConfig, storageGet, storageSet, toast,
} from "./common.js";
import { setupAttach } from "./attachments.js";
import { Live } from "./live.js";
import { attachMentions } from "./mentions.js";
import { Outbox } from "./outbox.js";
import { PostView, bindPostActions, copiesOf, refresh } from "./posts.js";

const PAGE = 50;
const TYPING_EVERY = 3000; // ms between two `typing` signals while someone types
const TYPING_SHOWN = 5000; // ms a typing indicator lasts without a new signal
const NEAR_BOTTOM = 48; // px: closer than this to the bottom counts as "at the bottom"
const ANNOUNCE_AFTER = 1500; // ms: new messages are announced in batches, not one by one
const CATCH_UP_SPAN = 2000; // events: beyond this, unread counts restart from the page

const config = readConfig();
const S = config.strings;
const me = config.me;
const root = document.querySelector("[data-workspace]");
document.documentElement.classList.add("js");

const view = new PostView(config);
const outbox = new Outbox(`concert:${config.slug}:${me.id}:outbox`);
const readKey = `concert:${config.slug}:${me.id}:read`;

const $ = (selector, scope = document) => scope.querySelector(selector);
const els = {
  sidebar: $("[data-sidebar]"),
  menu: $('[data-action="sidebar"]'),
  scroller: $("[data-scroller]"),
  list: $("[data-posts]"),
  empty: $("[data-empty]"),
  olderWrap: $("[data-older-wrap]"),
  older: $("[data-older]"),
  typing: $("[data-typing]"),
  toBottom: $('[data-action="to-bottom"]'),
  connection: $("[data-connection]"),
  announcer: $("[data-announcer]"),
  channelName: $("[data-channel-name]"),
  channelDescription: $("[data-channel-description]"),
  channelRestricted: $("[data-channel-restricted]"),
  archivedNote: $("[data-archived-note]"),
  composer: $('[data-composer="composer"]'),
  threadPane: $("[data-thread-pane]"),
  threadTitle: $("#thread-title"),
  threadScroller: $("[data-thread-scroller]"),
  threadParent: $("[data-thread-parent]"),
  threadCount: $("[data-thread-count]"),
  replies: $("[data-reply-list]"),
  replyComposer: $('[data-composer="reply"]'),
  people: $("[data-people]"),
  onlineCount: $("[data-online-count]"),
};

const state = {
  channel: config.channel,
  thread: config.thread,
  hasOlder: config.has_older,
  // Reading an older page (?before=…, from the no-JavaScript history links): live posts
  // would leave a gap, so they only count as new until the reader comes back to the end.
  detached: new URLSearchParams(location.search).has("before"),
  loadingOlder: false,
  switching: 0,
  // Unread counts per channel, and the seq they are counted up to, kept across reloads.
  read: storageGet(readKey, { seq: null, unread: {} }),
};

// --- channels ------------------------------------------------------------------------

const channelLinks = new Map(
  [...document.querySelectorAll("a[data-channel-id]")].map((a) => [Number(a.dataset.channelId), a]),
);

function channelInfo(id) {
  const link = channelLinks.get(id);
  return link && {
    id,
    name: link.dataset.name,
    description: link.dataset.description,
    archived: link.dataset.archived === "true",
    restricted: link.dataset.restricted,
  };
}

function showUnread() {
  for (const [id, link] of channelLinks) {
    const count = id === state.channel && !state.detached ? 0 : state.read.unread[id] || 0;
    const badge = $("[data-unread]", link);
    badge.hidden = count === 0;
    $("[data-unread-count]", badge).textContent = count > 99 ? "99+" : count;
  }
}

let saveTimer = null;
function saveReadState() {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => storageSet(readKey, { seq: live.watermark, unread: state.read.unread }), 300);
}

function showChannel(info) {
  els.channelName.textContent = info.name;
  els.channelDescription.textContent = info.description;
  els.channelRestricted.hidden = !info.restricted;
  $("[data-text]", els.channelRestricted).textContent = info.restricted;
  els.archivedNote.hidden = !info.archived;
  for (const wrap of document.querySelectorAll("[data-composer-wrap], [data-reply-wrap]")) {
    wrap.hidden = info.archived;
  }
  for (const input of document.querySelectorAll("[data-channel-input]")) input.value = info.id;
  for (const [id, link] of channelLinks) {
    if (id === info.id) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.title = `${info.name} — ${config.territory} — concert`;
}

async function switchChannel(id, { push = true, focus = false } = {}) {
  const info = channelInfo(id);
  if (!info) return;
  closeSidebar();
  if (id === state.channel && !state.detached) return;
  const ticket = ++state.switching;
  const since = live.highest;
  let page;
  try {
    page = await api("GET", `${apiBase}/territories/${config.slug}/posts?channel=${id}&top_level=1&limit=${PAGE}`);
  } catch (error) {
    toast(error.message || S.error);
    return;
  }
  if (ticket !== state.switching) return; // another channel was chosen meanwhile
  state.channel = id;
  state.detached = false;
  state.read.unread[id] = 0;
  state.hasOlder = page.items.length === PAGE;
  showChannel(info);
  showUnread();
  saveReadState();
  els.list.replaceChildren(...page.items.map((post) => withVersion(view.create(post), since)));
  for (const item of outbox.items()) if (item.channel === id && !item.reply_to) showPending(item);
  updateOlder();
  updateEmpty();
  clearTypers();
  if (state.thread) closeThread({ push: false });
  scrollToBottom(els.scroller);
  if (push) history.pushState({ channel: id }, "", `${config.page}?channel=${id}`);
  if (focus) els.channelName.focus();
}

for (const [id, link] of channelLinks) {
  link.addEventListener("click", (event) => {
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    switchChannel(id, { focus: true });
  });
}
els.channelName.tabIndex = -1;

window.addEventListener("popstate", () => {
  const params = new URLSearchParams(location.search);
  const channel = Number(params.get("channel")) || state.channel;
  const thread = Number(params.get("thread")) || null;
  switchChannel(channel, { push: false }).then(() => {
    if (thread) openThread(thread, { push: false });
    else if (state.thread) closeThread({ push: false });
  });
});

// The sidebar is a drawer on small screens.
// While it is open, what it covers is out of reach (keyboard and screen readers alike).
function setSidebar(open) {
  root.classList.toggle("is-sidebar-open", open);
  els.menu.setAttribute("aria-expanded", String(open));
  for (const covered of [$("[data-channel-pane]"), els.threadPane]) covered.inert = open;
}

function closeSidebar({ restoreFocus = false } = {}) {
  if (!root.classList.contains("is-sidebar-open")) return;
  setSidebar(false);
  if (restoreFocus) els.menu.focus();
}

matchMedia("(min-width: 48rem)").addEventListener("change", () => closeSidebar());
els.menu.addEventListener("click", () => {
  const open = !root.classList.contains("is-sidebar-open");
  setSidebar(open);
  if (open) $("a, button", els.sidebar)?.focus();
});
$('[data-action="close-sidebar"]').addEventListener("click", () => closeSidebar({ restoreFocus: true }));
document.addEventListener("click", (event) => {
  if (!els.sidebar.contains(event.target) && !els.menu.contains(event.target)) closeSidebar();
});
els.sidebar.addEventListener("keydown", (event) => {
  if (event.key === "Escape") closeSidebar({ restoreFocus: true });
});

// --- the message list --------------------------------------------------------------

// The main list scrolls in a `flex-direction: column-reverse` box: it opens at the bottom
// without JavaScript, and its scrollTop is 0 at the bottom and negative above.
function fromBottom(scroller) {
  return scroller === els.scroller ? -scroller.scrollTop
    : scroller.scrollHeight - scroller.clientHeight - scroller.scrollTop;
}

function scrollToBottom(scroller) {
  scroller.scrollTop = scroller === els.scroller ? 0 : scroller.scrollHeight;
}

/** Changes a list without moving what the reader is looking at; follows new messages
 *  only when the reader was already at the bottom. Returns whether it followed. */
function keepingScroll(scroller, change) {
  const atBottom = fromBottom(scroller) < NEAR_BOTTOM;
  const top = scroller.getBoundingClientRect().top;
  const anchor = [...scroller.querySelectorAll(".post")].find((li) => li.getBoundingClientRect().bottom > top);
  const before = anchor?.getBoundingClientRect().top;
  change();
  if (atBottom) scrollToBottom(scroller);
  else if (anchor?.isConnected) scroller.scrollTop += anchor.getBoundingClientRect().top - before;
  return atBottom;
}

function withVersion(li, seq) {
  li.dataset.version = seq ?? 0;
  return li;
}

/** Inserts or updates `post` in `list`, kept sorted by seq, unsent posts last. */
function upsert(list, post, seq) {
  const existing = list.querySelector(`.post[data-post-id="${post.id}"]`);
  if (existing) {
    if (seq > Number(existing.dataset.version || 0)) {
      view.fill(existing, post);
      existing.dataset.version = seq;
    }
    return existing;
  }
  const li = withVersion(view.create(post, { prefix: list === els.threadParent ? "thread-" : "" }), seq);
  if (post.client_id) list.querySelector(`.post[data-client-id="${CSS.escape(post.client_id)}"]`)?.remove();
  let after = null;
  for (const other of [...list.children].reverse()) {
    if (other.dataset.postId && Number(other.dataset.seq) < post.seq) {
      after = other;
      break;
    }
  }
  if (after) after.after(li);
  else list.prepend(li);
  return li;
}

function updateEmpty() {
  els.empty.hidden = els.list.children.length > 0;
}

function oldestSeq() {
  const first = els.list.querySelector(".post[data-post-id]");
  return first ? Number(first.dataset.seq) : null;
}

function updateOlder() {
  const oldest = oldestSeq();
  els.olderWrap.hidden = !state.hasOlder || oldest === null;
  if (oldest !== null) els.older.href = `${config.page}?channel=${state.channel}&before=${oldest}`;
}

async function loadOlder() {
  const before = oldestSeq();
  if (state.loadingOlder || !state.hasOlder || before === null) return;
  state.loadingOlder = true;
  const channel = state.channel;
  const since = live.highest;
  try {
    const page = await api("GET",
      `${apiBase}/territories/${config.slug}/posts?channel=${channel}&top_level=1&before_seq=${before}&limit=${PAGE}`);
    if (channel !== state.channel) return;
    state.hasOlder = page.items.length === PAGE;
    keepingScroll(els.scroller, () => {
      els.list.prepend(...page.items.filter((post) => !els.list.querySelector(`.post[data-post-id="${post.id}"]`))
        .map((post) => withVersion(view.create(post), since)));
      updateOlder();
    });
    updateEmpty();
  } catch (error) {
    toast(error.message || S.older_error);
  } finally {
    state.loadingOlder = false;
  }
  // Still at the top (short pages, tall screen): keep going.
  if (state.hasOlder && isVisible(els.older, els.scroller)) loadOlder();
}

function isVisible(element, scroller) {
  const box = element.getBoundingClientRect();
  const frame = scroller.getBoundingClientRect();
  return !element.closest("[hidden]") && box.bottom > frame.top - 200 && box.top < frame.bottom;
}

els.older.addEventListener("click", (event) => {
  event.preventDefault();
  loadOlder();
});
new IntersectionObserver((entries) => {
  if (entries.some((entry) => entry.isIntersecting)) loadOlder();
}, { root: els.scroller, rootMargin: "200px 0px 0px 0px" }).observe(els.older);

els.scroller.addEventListener("scroll", () => {
  if (fromBottom(els.scroller) < NEAR_BOTTOM) els.toBottom.hidden = true;
}, { passive: true });
els.toBottom.addEventListener("click", () => {
  scrollToBottom(els.scroller);
  els.toBottom.hidden = true;
  els.scroller.focus();
});

// --- thread panel ------------------------------------------------------------------

async function openThread(id, { push = true, opener = null } = {}) {
  let parent;
  let replies;
  const since = live.highest;
  try {
    [parent, replies] = await Promise.all([
      api("GET", `${apiBase}/posts/${id}`),
      api("GET", `${apiBase}/territories/${config.slug}/posts?thread=${id}&limit=200`),
    ]);
  } catch (error) {
    toast(error.message || S.error);
    return;
  }
  if (parent.channel !== state.channel) await switchChannel(parent.channel, { push: false });
  state.thread = id;
  state.threadOpener = opener;
  els.threadParent.replaceChildren(withVersion(view.create(parent, { prefix: "thread-" }), since));
  els.replies.replaceChildren(...replies.items.map((post) => withVersion(view.create(post), since)));
  for (const item of outbox.items()) if (item.reply_to === id) showPending(item);
  setThreadCount(parent.replies);
  for (const input of document.querySelectorAll("[data-reply-input]")) input.value = id;
  els.threadPane.hidden = false;
  root.classList.add("workspace--thread");
  scrollToBottom(els.threadScroller);
  if (push) history.pushState({ thread: id }, "", `${config.page}?channel=${parent.channel}&thread=${id}`);
  els.threadTitle.focus();
}

function closeThread({ push = true } = {}) {
  const opener = state.threadOpener;
  state.thread = null;
  els.threadPane.hidden = true;
  root.classList.remove("workspace--thread");
  els.threadParent.replaceChildren();
  els.replies.replaceChildren();
  if (push) history.pushState({ channel: state.channel }, "", `${config.page}?channel=${state.channel}`);
  if (opener?.isConnected) opener.focus();
}

function setThreadCount(count) {
  els.threadCount.textContent = plural(S, "replies", count);
}

root.addEventListener("click", (event) => {
  const link = event.target.closest('[data-action="thread"], [data-action="close-thread"]');
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  if (link.dataset.action === "close-thread") closeThread();
  else openThread(Number(link.closest(".post").dataset.postId), { opener: link });
});
els.threadPane.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && !event.target.closest("[data-editor]")) closeThread();
});
if (state.thread) els.threadTitle.focus();

// --- live events -------------------------------------------------------------------

function onEvent(event) {
  const { type, data, seq } = event;
  switch (type) {
    case "post.created":
      onPostCreated(data, seq);
      break;
    case "post.updated":
    case "post.deleted":
    case "post.status":
    case "post.supported":
      applyToCopies(type, data, seq);
      break;
    case "presence":
      setPresence(data.user, data.online);
      break;
    case "typing":
      if (data.channel === state.channel && data.user.id !== me.id) showTyper(data.user);
      break;
    default:
  }
  if (seq != null) saveReadState();
}

/** Changes to a post shown on the page, each applied once and never over a newer state. */
function applyToCopies(type, data, seq) {
  const copies = [...copiesOf(data.id)].filter((li) => seq > Number(li.dataset.version || 0));
  for (const li of copies) li.dataset.version = seq;
  if (!copies.length) return;
  if (type === "post.supported" && data.user) for (const li of copies) view.setSupports(li, data);
  else if (data.author) for (const li of copies) view.fill(li, data);
  else refresh(view, data.id); // a status change, or supports moved by a merge
}

function onPostCreated(post, seq) {
  const mine = post.author?.id === me.id;
  if (mine && post.client_id) forgetPending(post.client_id);
  removeTyper(post.author?.id);
  if (post.reply_to) {
    for (const parent of copiesOf(post.reply_to)) {
      if (seq > Number(parent.dataset.version || 0)) {
        view.setReplies(parent, (Number(parent.dataset.replies) || 0) + 1);
      }
    }
    if (state.thread === post.reply_to) {
      keepingScroll(els.threadScroller, () => upsert(els.replies, post, seq));
      setThreadCount(els.replies.querySelectorAll(".post[data-post-id]").length);
    }
    return;
  }
  if (post.channel === state.channel && !state.detached) {
    const oldest = oldestSeq();
    if (state.hasOlder && oldest !== null && post.seq < oldest) return; // not loaded yet
    const known = els.list.querySelector(`.post[data-post-id="${post.id}"]`);
    const followed = keepingScroll(els.scroller, () => upsert(els.list, post, seq));
    updateEmpty();
    if (!known && !mine) {
      if (!followed) els.toBottom.hidden = false;
      announce(post);
    }
  } else if (!mine && channelLinks.has(post.channel) && seq > (state.read.seq ?? 0)) {
    state.read.unread[post.channel] = (state.read.unread[post.channel] || 0) + 1;
    showUnread();
  }
}

// New messages of the open channel, announced politely and in batches.
let pendingAnnounce = [];
let announceTimer = null;
function announce(post) {
  pendingAnnounce.push(post);
  clearTimeout(announceTimer);
  announceTimer = setTimeout(() => {
    const channel = channelInfo(state.channel)?.name ?? "";
    els.announcer.textContent = pendingAnnounce.length === 1
      ? format(S.announce_one, { name: pendingAnnounce[0].author.name, channel })
      : format(S.announce_many, { n: pendingAnnounce.length, channel });
    pendingAnnounce = [];
  }, ANNOUNCE_AFTER);
}

// --- presence and typing -----------------------------------------------------------

function personElement(user) {
  let li = els.people.querySelector(`[data-user-id="${user.id}"]`);
  if (!li && user.name) {
    li = document.getElementById("person-template").content.firstElementChild.cloneNode(true);
    li.dataset.userId = user.id;
    li.id = `person-${user.id}`; // where a mention of them links
    $(".person__name", li).textContent = user.name;
    $(".person__org", li).textContent = user.organisation ?? "";
    els.people.append(li);
  }
  return li;
}

function setPresence(user, online) {
  const li = personElement(user);
  if (!li) return;
  li.classList.toggle("person--online", online);
  $("[data-presence]", li).textContent = online ? S.online : S.offline_person;
  els.onlineCount.textContent = format(S.online_count, {
    n: els.people.querySelectorAll(".person--online").length,
  });
}

function setPresenceList(people) {
  const online = new Set(people.map((person) => person.id));
  for (const person of people) personElement(person);
  for (const li of els.people.querySelectorAll("[data-user-id]")) {
    setPresence({ id: Number(li.dataset.userId) }, online.has(Number(li.dataset.userId)));
  }
}

const typers = new Map(); // user id → {name, until}
let typingTimer = null;

function showTyper(user) {
  typers.set(user.id, { name: user.name, until: Date.now() + TYPING_SHOWN });
  renderTypers();
}

function removeTyper(userId) {
  if (typers.delete(userId)) renderTypers();
}

function clearTypers() {
  typers.clear();
  renderTypers();
}

function renderTypers() {
  const now = Date.now();
  for (const [id, typer] of typers) if (typer.until <= now) typers.delete(id);
  const names = [...typers.values()].map((typer) => typer.name);
  els.typing.textContent = names.length === 0 ? ""
    : names.length === 1 ? format(S.typing_one, { name: names[0] })
      : format(S.typing_many, { names: names.join(", ") });
  clearTimeout(typingTimer);
  if (typers.size) typingTimer = setTimeout(renderTypers, 1000);
}

// --- connection state --------------------------------------------------------------

let connectingTimer = null;
function onStatus(status, detail) {
  clearTimeout(connectingTimer);
  const text = {
    reconnecting: S.reconnecting,
    offline: S.offline,
    refused: detail ? `${S.refused} (${detail})` : S.refused,
  }[status];
  if (status === "connecting") {
    // Only a slow first connection is worth a message.
    connectingTimer = setTimeout(() => setConnection(S.connecting, "connecting"), 2000);
    return;
  }
  setConnection(text ?? "", status);
}

function setConnection(text, status) {
  els.connection.textContent = text;
  els.connection.dataset.status = status;
  root.dataset.linkState = status;
}

// --- composers and the outbox ------------------------------------------------------

function pendingTarget(item) {
  if (item.reply_to) return state.thread === item.reply_to ? els.replies : null;
  return item.channel === state.channel ? els.list : null;
}

function pendingPost(item) {
  return {
    client_id: item.client_id, channel: item.channel, kind: item.kind, body: item.body,
    html: "", status: null, reply_to: item.reply_to ?? null, replies: 0, supports: 0,
    author: { id: me.id, name: me.name, organisation: me.organisation },
    created_at: new Date(item.at).toISOString(), edited_at: null, deleted: false,
  };
}

function showPending(item) {
  const list = pendingTarget(item);
  if (!list) return;
  const existing = list.querySelector(`.post[data-client-id="${CSS.escape(item.client_id)}"]`);
  if (existing) {
    view.fill(existing, pendingPost(item), { pending: { error: item.error } });
    return;
  }
  const scroller = list === els.replies ? els.threadScroller : els.scroller;
  keepingScroll(scroller, () => list.append(view.create(pendingPost(item), { pending: { error: item.error } })));
  scrollToBottom(scroller);
  updateEmpty();
}

function forgetPending(clientId) {
  outbox.remove(clientId);
  for (const li of document.querySelectorAll(`.post[data-client-id="${CSS.escape(clientId)}"]`)) li.remove();
  updateEmpty();
}

/** The post is stored: show it where it belongs, as the server has it. */
function delivered(post) {
  forgetPending(post.client_id);
  if (live.claim(post.seq)) onPostCreated(post, post.seq);
  if (!post.reply_to && post.channel === state.channel) scrollToBottom(els.scroller);
}

let flushing = false;
async function flushOutbox() {
  if (flushing) return;
  flushing = true;
  try {
    for (const item of outbox.items()) {
      if (item.error) continue;
      const ack = await live.post(payloadOf(item));
      if (ack === null) break; // no answer: retried at the next (re)connection
      if (ack.ok) delivered(ack.post);
      else {
        outbox.update(item.client_id, { error: ack.error?.message || S.error });
        showPending(outbox.get(item.client_id));
      }
    }
  } finally {
    flushing = false;
  }
}

function payloadOf(item) {
  const payload = { channel: item.channel, kind: item.kind, body: item.body, client_id: item.client_id };
  if (item.reply_to) payload.reply_to = item.reply_to;
  if (item.attachments?.length) payload.attachments = item.attachments;
  return payload;
}

function setupComposer(form) {
  if (!form) return;
  const textarea = $("textarea", form);
  attachMentions(textarea, config.slug);
  const error = $("[data-error]", form);
  const submit = $('button[type="submit"]', form);
  const clientId = $('input[name="client_id"]', form);
  const previewButton = $('[data-action="preview"]', form);
  const preview = $("[data-preview]", form);
  const previewBody = $("[data-preview-body]", form);
  let lastTyping = 0;
  let previewTimer = null;
  const attach = setupAttach(form, { slug: config.slug, strings: S, onError: (message) => { error.textContent = message; } });

  const read = () => ({
    client_id: clientId.value,
    channel: Number($('input[name="channel"]', form).value),
    kind: ($('input[name="kind"]:checked', form) ?? $('input[name="kind"]', form)).value,
    body: textarea.value,
    reply_to: Number($('input[name="reply_to"]', form)?.value) || null,
    attachments: attach.ids(),
    at: Date.now(),
  });

  const reset = () => {
    textarea.value = "";
    attach.reset();
    clientId.value = newClientId();
    error.textContent = "";
    if (previewButton.getAttribute("aria-pressed") === "true") togglePreview();
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (attach.busy()) {
      error.textContent = S.still_uploading;
      return;
    }
    const item = read();
    error.textContent = "";
    if (!live.joined) {
      // Offline: keep it, show it as waiting, send it on reconnection.
      outbox.add(item);
      reset();
      showPending(item);
      return;
    }
    submit.disabled = true;
    const ack = await live.post(payloadOf(item));
    submit.disabled = false;
    if (ack === null) {
      outbox.add(item);
      reset();
      showPending(item);
    } else if (ack.ok) {
      reset();
      delivered(ack.post);
    } else {
      error.textContent = ack.error?.message || S.error;
      textarea.focus();
    }
  });

  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  textarea.addEventListener("input", () => {
    const now = Date.now();
    if (textarea.value && now - lastTyping > TYPING_EVERY) {
      lastTyping = now;
      live.typing(Number($('input[name="channel"]', form).value));
    }
    if (previewButton.getAttribute("aria-pressed") === "true") {
      clearTimeout(previewTimer);
      previewTimer = setTimeout(renderPreview, 400);
    }
  });

  async function renderPreview() {
    if (!textarea.value.trim()) {
      previewBody.textContent = S.preview_empty;
      return;
    }
    try {
      const { html } = await api("POST", `${apiBase}/preview`, { body: textarea.value, territory: config.slug });
      previewBody.innerHTML = html; // sanitised by the server
    } catch (failure) {
      previewBody.textContent = failure.message || S.error;
    }
  }

  function togglePreview() {
    const on = previewButton.getAttribute("aria-pressed") !== "true";
    previewButton.setAttribute("aria-pressed", String(on));
    preview.hidden = !on;
    if (on) renderPreview();
  }
  previewButton.addEventListener("click", togglePreview);
}

setupComposer(els.composer);
setupComposer(els.replyComposer);

// Unsent posts: taken back into the composer, or abandoned.
root.addEventListener("click", (event) => {
  const button = event.target.closest('[data-action="resume"], [data-action="discard"]');
  const li = button?.closest(".post[data-client-id]");
  if (!li) return;
  const item = outbox.get(li.dataset.clientId);
  forgetPending(li.dataset.clientId);
  if (button.dataset.action === "resume" && item) {
    const form = item.reply_to ? els.replyComposer : els.composer;
    const textarea = $("textarea", form);
    textarea.value = item.body;
    $(`input[name="kind"][value="${item.kind}"]`, form)?.click();
    textarea.focus();
  }
});

// --- start -------------------------------------------------------------------------

function applyChange(post) {
  for (const li of copiesOf(post.id)) view.fill(li, post);
}
bindPostActions(root, view, applyChange);

// Server-rendered posts reflect every event up to the page's seq.
for (const li of document.querySelectorAll(".post[data-post-id]")) withVersion(li, config.seq);
// In the reader's time zone (the server renders UTC).
for (const time of document.querySelectorAll(".post time[datetime]")) time.textContent = formatDate(time.dateTime);

// Catch up from the last visit when it is recent enough, for the unread counts.
const stored = state.read.seq;
const resumeFrom = stored !== null && stored <= config.seq && config.seq - stored <= CATCH_UP_SPAN
  ? stored : config.seq;
if (resumeFrom === config.seq) state.read.unread = stored !== null && stored <= config.seq ? state.read.unread : {};
state.read.seq = resumeFrom;
if (state.channel !== null) state.read.unread[state.channel] = 0;

const live = new Live({
  territory: config.slug,
  afterSeq: resumeFrom,
  onEvent,
  onStatus,
  onJoined(ack) {
    setPresenceList(ack.presence ?? []);
    state.read.seq = live.watermark;
    saveReadState();
    flushOutbox();
  },
});

for (const item of outbox.items()) showPending(item);
showUnread();
updateOlder();
if (state.thread) scrollToBottom(els.threadScroller);
live.start();

// --- a linked post (?channel=…&post=…, from a commitment's sources) ---------------------

/** Shows the post the address names: in its thread if it is a reply, else in the channel,
 *  loading older pages until it is there; then outlines and focuses it. */
async function showLinkedPost(id) {
  const selector = `.post[data-post-id="${CSS.escape(String(id))}"]`;
  let li = els.list.querySelector(selector) || els.replies.querySelector(selector);
  if (!li) {
    let post;
    try {
      post = await api("GET", `${apiBase}/posts/${id}`);
    } catch (error) {
      toast(error.message || S.error);
      return;
    }
    if (post.reply_to) {
      await openThread(post.reply_to, { push: false });
      li = els.replies.querySelector(selector);
    } else {
      if (post.channel !== state.channel) await switchChannel(post.channel, { push: false });
      while (!(li = els.list.querySelector(selector)) && state.hasOlder && post.channel === state.channel) {
        if (state.loadingOlder) { // a load the scroll started: wait for it
          await new Promise((resolve) => { setTimeout(resolve, 100); });
          continue;
        }
        const before = oldestSeq();
        await loadOlder();
        if (oldestSeq() === before && !state.loadingOlder) break; // nothing more came (an error)
      }
    }
  }
  if (!li) return;
  for (const other of document.querySelectorAll(".post--highlight")) other.classList.remove("post--highlight");
  li.classList.add("post--highlight");
  li.tabIndex = -1;
  li.scrollIntoView({ block: "center" });
  li.focus({ preventScroll: true });
}

const linked = Number(new URLSearchParams(location.search).get("post"));
if (linked) showLinkedPost(linked);
