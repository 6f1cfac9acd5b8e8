// "Besoins et propositions": the server-rendered list, with working support / edit / delete
// buttons and counts kept live. New contributions are not inserted (the list is sorted and
// filtered by the server): a notice offers to refresh it.
import { readConfig } from "./common.js";
import { Live } from "./live.js";
import { PostView, bindPostActions, copiesOf, refresh } from "./posts.js";

const config = readConfig();
const root = document.querySelector("[data-contributions]");
const refreshNote = document.querySelector("[data-refresh-note]");
const view = new PostView(config);
document.documentElement.classList.add("js");

for (const li of document.querySelectorAll(".post[data-post-id]")) li.dataset.version = config.seq;

function newer(li, seq) {
  if (seq <= Number(li.dataset.version || 0)) return false;
  li.dataset.version = seq;
  return true;
}

function matchesFilters(post) {
  const { channel, kind } = config.filters;
  return ["need", "proposal"].includes(post.kind)
    && (!channel || String(post.channel) === channel) && (!kind || post.kind === kind);
}

function onEvent({ type, data, seq }) {
  if (type === "post.created") {
    if (matchesFilters(data) && !data.reply_to) refreshNote.hidden = false;
    return;
  }
  const copies = [...copiesOf(data.id)].filter((li) => newer(li, seq));
  if (!copies.length || !type.startsWith("post.")) return;
  if (type === "post.supported" && data.user) for (const li of copies) view.setSupports(li, data);
  else if (data.author) for (const li of copies) view.fill(li, data);
  else refresh(view, data.id); // a status change, or supports moved by a merge
}

bindPostActions(root, view, (post) => {
  for (const li of copiesOf(post.id)) view.fill(li, post);
});

new Live({
  territory: config.slug,
  afterSeq: config.seq,
  onEvent,
  onStatus(status) {
    root.dataset.linkState = status;
  },
  onJoined() {},
}).start();
