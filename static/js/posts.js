// Posts as the page shows them: the clone of <template id="post-template"> (rendered by the
// same Jinja macro as the server's list) filled from a post resource, and the actions on
// them (support, edit, delete, history). User text is only ever inserted as text; the one
// HTML inserted is the server's sanitised `html` field.
import { fillAttachments } from "./attachments.js";
import { api, apiBase, format, formatDate, plural, toast } from "./common.js";
import { attachMentions } from "./mentions.js";

const CONTRIBUTIONS = ["need", "proposal"];

/** What the page offers on a post: mirrors concert.services.posts.actions_for (the server
 *  still decides, and its refusal is shown, when an action is tried). */
export function actionsFor(config, post) {
  const mine = post.author?.id === config.me.id;
  const active = !post.deleted && config.can_contribute; // observers only read
  const facilitates = !post.deleted && Boolean(config.is_facilitator) && CONTRIBUTIONS.includes(post.kind);
  return {
    edit: active && mine,
    delete: active && (mine || config.is_facilitator) && (post.status == null || post.status === "open"),
    support: active && !mine && CONTRIBUTIONS.includes(post.kind),
    reply: active,
    promote: facilitates && post.status === "open",
    decline: facilitates && post.status === "open",
    reopen: facilitates && post.status === "declined",
  };
}

/** Marks the mentions of the reader or of their organisation, as the server does for the
 *  posts it renders (concert.services.mentions.for_reader). */
function markMentions(body, me) {
  for (const link of body.querySelectorAll("a.mention")) {
    const { person, organisation } = link.dataset;
    const mine = person === String(me.id) || (organisation !== undefined && organisation === me.mention_key);
    link.classList.toggle("mention--me", mine);
  }
}

export class PostView {
  constructor(config) {
    this.config = config;
    this.strings = config.strings;
    this.template = document.getElementById("post-template");
  }

  /** A new element for `post` (a post resource, or an unsent one from the outbox). */
  create(post, { prefix = "", pending = null } = {}) {
    const li = this.template.content.firstElementChild.cloneNode(true);
    li.dataset.prefix = prefix;
    this.fill(li, post, { pending });
    return li;
  }

  /** Brings an element up to date with `post`. `post.supported` may be missing (events
   *  do not say who supports what): the button then keeps its state. */
  fill(li, post, { pending = null } = {}) {
    const prefix = li.dataset.prefix || "";
    const key = pending ? `${prefix}pending-${post.client_id}` : `${prefix}post-${post.id}`;
    const field = (name) => li.querySelector(`[data-field="${name}"]`);
    const action = (name) => li.querySelector(`[data-action="${name}"]`);
    const actions = pending ? {
      edit: false, delete: false, support: false, reply: false, promote: false, decline: false, reopen: false,
    }
      : actionsFor(this.config, post);
    const contribution = CONTRIBUTIONS.includes(post.kind);

    li.id = key;
    li.className = ["post", `post--${post.kind}`, post.deleted && "post--deleted",
      post.reply_to && "post--reply", pending && "post--pending",
      pending?.error && "post--failed"].filter(Boolean).join(" ");
    if (pending) {
      delete li.dataset.postId;
      li.dataset.clientId = post.client_id;
      li.dataset.seq = "";
    } else {
      li.dataset.postId = post.id;
      li.dataset.seq = post.seq;
      delete li.dataset.clientId;
    }
    li.dataset.channel = post.channel;
    li.dataset.replies = post.replies ?? 0;
    li.querySelector("article").setAttribute("aria-labelledby", `${key}-author ${key}-time`);

    const author = field("author");
    author.id = `${key}-author`;
    author.textContent = post.author?.name ?? "";
    field("organisation").textContent = post.author?.organisation ?? "";
    const time = field("time");
    time.id = `${key}-time`;
    time.dateTime = post.created_at;
    time.textContent = formatDate(post.created_at);

    const kind = field("kind");
    kind.className = `badge badge--kind badge--${post.kind}`;
    kind.textContent = this.config.kinds[post.kind] ?? "";
    const status = field("status");
    status.hidden = !post.status || Boolean(pending);
    status.className = `badge badge--status badge--${post.status || "none"}`;
    status.textContent = this.config.statuses[post.status] ?? "";
    field("edited").hidden = !post.edited_at || post.deleted || Boolean(pending);

    const state = field("state");
    state.hidden = !pending;
    state.textContent = !pending ? ""
      : pending.error ? format(this.strings.failed, { message: pending.error })
        : this.strings.pending;

    const body = field("body");
    body.hidden = post.deleted;
    if (pending) {
      body.textContent = post.body;
      body.classList.add("post__body--plain");
    } else {
      body.innerHTML = post.html; // sanitised by the server (concert.services.security)
      markMentions(body, this.config.me);
      body.classList.remove("post__body--plain");
    }
    field("deleted").hidden = !post.deleted;
    fillAttachments(field("attachments"), pending ? [] : post.attachments, this.strings);
    this.fillOutcome(field, post);

    const supports = field("supports");
    supports.hidden = !contribution || Boolean(pending);
    supports.classList.toggle("no-js-only", actions.support);
    supports.textContent = plural(this.strings, "supports", post.supports ?? 0);
    const support = action("support");
    support.hidden = !actions.support;
    if (post.supported !== undefined) support.setAttribute("aria-pressed", String(Boolean(post.supported)));
    field("count").textContent = post.supports ?? 0;
    field("count-label").textContent = plural(this.strings, "support_word", post.supports ?? 0);

    const replies = action("thread");
    if (replies) {
      replies.hidden = Boolean(post.reply_to) || Boolean(pending) || (!post.replies && !actions.reply);
      replies.textContent = post.replies ? plural(this.strings, "replies", post.replies) : this.strings.reply;
      if (this.config.page && !pending) {
        replies.href = `${this.config.page}?channel=${post.channel}&thread=${post.id}#thread`;
      }
    }
    this.fillFacilitation(li, post, actions);
    action("edit").hidden = !actions.edit;
    action("delete").hidden = !actions.delete;
    action("resume").hidden = !pending?.error;
    action("discard").hidden = !pending?.error;
  }

  /** Promote / decline / reopen (facilitators, on needs and proposals), and the selection
   *  checkbox of "Besoins et propositions". Present in every copy, shown when offered. */
  fillFacilitation(li, post, actions) {
    const base = `${this.config.page}`;
    const back = `${location.pathname}${location.search}`;
    const promote = li.querySelector('[data-action="promote"]');
    if (promote) {
      promote.hidden = !actions.promote;
      if (post.id) promote.href = `${base}commitments/new?source=${post.id}`;
    }
    const decline = li.querySelector('[data-field="decline"]');
    if (decline) {
      decline.hidden = !actions.decline;
      if (!actions.decline) decline.open = false;
      if (post.id) decline.querySelector("form").action = `${base}posts/${post.id}/decline`;
    }
    const reopen = li.querySelector("[data-reopen]");
    if (reopen) {
      reopen.hidden = !actions.reopen;
      if (post.id) reopen.action = `${base}posts/${post.id}/reopen`;
    }
    for (const input of li.querySelectorAll("[data-back]")) input.value = back;
    const select = li.querySelector('[data-field="select"]');
    if (select) {
      select.hidden = !actions.promote;
      const box = select.querySelector("input");
      box.value = post.id ?? "";
      if (!actions.promote) box.checked = false;
    }
  }

  /** What the facilitators made of a contribution: declined (why), merged, promoted. */
  fillOutcome(field, post) {
    const declined = field("declined");
    declined.hidden = !post.decline_reason;
    declined.querySelector("[data-text]").textContent = post.decline_reason ?? "";
    const merged = field("merged");
    merged.hidden = !post.merged_into;
    if (post.merged_into) merged.querySelector("a").href = `${this.config.page}?thread=${post.merged_into}#thread`;
    const list = field("commitments");
    const commitments = post.commitments ?? [];
    list.hidden = commitments.length === 0;
    list.replaceChildren(...commitments.map((commitment) => {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = `${this.config.page}commitments/${commitment.id}`;
      link.textContent = format(this.strings.commitment, { n: commitment.number, title: commitment.title });
      item.append(link);
      return item;
    }));
    field("outcome").hidden = declined.hidden && merged.hidden && list.hidden;
  }

  /** A live `post.supported`: the count for everyone, the pressed state for its author. */
  setSupports(li, data) {
    li.querySelector('[data-field="count"]').textContent = data.supports;
    li.querySelector('[data-field="count-label"]').textContent = plural(this.strings, "support_word", data.supports);
    li.querySelector('[data-field="supports"]').textContent = plural(this.strings, "supports", data.supports);
    if (data.user?.id === this.config.me.id) {
      li.querySelector('[data-action="support"]').setAttribute("aria-pressed", String(data.supported));
    }
  }

  setReplies(li, count) {
    li.dataset.replies = count;
    const link = li.querySelector('[data-action="thread"]');
    if (!link) return;
    link.textContent = count ? plural(this.strings, "replies", count) : this.strings.reply;
    if (count) link.hidden = false;
  }
}

/** Every rendered copy of a post (the channel list and the thread panel may both hold it). */
export function copiesOf(postId) {
  return document.querySelectorAll(`.post[data-post-id="${CSS.escape(String(postId))}"]`);
}

/** Fetches a post again and updates every copy: for events that carry only part of it
 *  (a status change, supports moved by a merge). */
export async function refresh(view, postId) {
  try {
    const post = await api("GET", `${apiBase}/posts/${postId}`);
    for (const li of copiesOf(postId)) view.fill(li, post);
  } catch {
    // Gone or hidden meanwhile: the next event or reload says so.
  }
}

/** Support, edit, delete and history on any post below `root`. `onChange(post)` receives
 *  the post as the API answered, to update every copy. */
export function bindPostActions(root, view, onChange) {
  const strings = view.strings;
  const fail = (error) => toast(error.message || strings.error);

  // Decline (with its reason) and reopen: the forms post to the pages without JavaScript;
  // here they go through the API and stay on the page, errors shown next to the form.
  root.addEventListener("submit", async (event) => {
    const form = event.target.closest("[data-decline], [data-reopen]");
    const li = form?.closest(".post");
    if (!li || !li.dataset.postId) return;
    event.preventDefault();
    const id = li.dataset.postId;
    const error = form.querySelector("[data-error]");
    const submit = form.querySelector('[type="submit"]');
    if (error) error.textContent = "";
    submit.disabled = true;
    try {
      if (form.matches("[data-decline]")) {
        const reason = form.elements.reason.value.trim();
        if (!reason) {
          error.textContent = strings.reason_required || strings.error;
          form.elements.reason.focus();
          return;
        }
        const post = await api("POST", `${apiBase}/posts/${id}/decline`, { reason });
        form.reset();
        onChange(post);
        li.querySelector("[data-reopen] button")?.focus();
      } else {
        onChange(await api("POST", `${apiBase}/posts/${id}/reopen`));
        li.querySelector('[data-field="decline"] summary')?.focus();
      }
    } catch (failure) {
      if (error) {
        error.textContent = failure.message || strings.error;
        form.elements.reason?.focus();
      } else {
        fail(failure);
      }
    } finally {
      submit.disabled = false;
    }
  });

  root.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-action]");
    const li = button?.closest(".post");
    if (!li || !li.dataset.postId) return;
    const id = li.dataset.postId;
    switch (button.dataset.action) {
      case "support":
        button.disabled = true;
        try {
          onChange(await api("POST", `${apiBase}/posts/${id}/support`));
        } catch (error) {
          fail(error);
        } finally {
          button.disabled = false;
        }
        break;
      case "delete":
        if (!window.confirm(strings.confirm_delete)) return;
        try {
          onChange(await api("DELETE", `${apiBase}/posts/${id}`));
        } catch (error) {
          fail(error);
        }
        break;
      case "edit":
        startEditing(li, view, onChange).catch(fail);
        break;
      case "history":
        showHistory(id, strings, button).catch(fail);
        break;
      default:
    }
  });
}

async function startEditing(li, view, onChange) {
  if (li.querySelector("[data-editor]")) return;
  const id = li.dataset.postId;
  const post = await api("GET", `${apiBase}/posts/${id}`);
  const form = document.getElementById("editor-template").content.firstElementChild.cloneNode(true);
  const textarea = form.querySelector("textarea");
  const label = form.querySelector("[data-editor-label]");
  const error = form.querySelector("[data-error]");
  const body = li.querySelector('[data-field="body"]');
  const editButton = li.querySelector('[data-action="edit"]');
  textarea.id = `${li.id}-editor`;
  label.htmlFor = textarea.id;
  textarea.value = post.body;
  body.hidden = true;
  body.after(form);
  attachMentions(textarea, view.config.slug);
  textarea.focus();

  const close = () => {
    form.remove();
    body.hidden = li.classList.contains("post--deleted");
    editButton.focus();
  };
  form.querySelector('[data-action="cancel-edit"]').addEventListener("click", close);
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    try {
      const updated = await api("PATCH", `${apiBase}/posts/${id}`, { body: textarea.value });
      close();
      onChange(updated);
    } catch (failure) {
      error.textContent = failure.message || view.strings.error;
    }
  });
}

async function showHistory(id, strings, opener) {
  const dialog = document.getElementById("history-dialog");
  const list = dialog.querySelector("[data-history]");
  const [post, revisions] = await Promise.all([
    api("GET", `${apiBase}/posts/${id}`),
    api("GET", `${apiBase}/posts/${id}/revisions`),
  ]);
  list.replaceChildren();
  const entry = (title, text) => {
    const li = document.createElement("li");
    const heading = document.createElement("p");
    heading.className = "history__title";
    heading.textContent = title;
    const source = document.createElement("pre");
    source.className = "history__body";
    source.textContent = text;
    li.append(heading, source);
    list.append(li);
  };
  entry(strings.history_current, post.body);
  for (const revision of [...revisions.items].reverse()) {
    entry(format(strings.history_version, { date: formatDate(revision.written_at) }), revision.body);
  }
  if (!revisions.items.length) entry(strings.history_empty, "");
  dialog.querySelector('[data-action="close-dialog"]').onclick = () => dialog.close();
  dialog.addEventListener("close", () => opener.focus(), { once: true });
  dialog.showModal();
}
