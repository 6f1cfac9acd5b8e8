// The search page, live: a post that arrives while it is open is listed above the results
// when it matches. The page asks the server rather than testing the words itself: the
// server stems French as the index does (plurals, accents, phrases, prefixes) and applies
// every filter, so the page shows what a reload would. It costs one small request per
// post that arrives, and a `post.created` event reaches only members who may read its
// channel (the same audience rule the search applies).
import { plural, readConfig } from "./common.js";
import { Live } from "./live.js";

const config = readConfig();
const section = document.querySelector("[data-live-results]");
const list = document.querySelector("[data-live-list]");
const count = document.getElementById("search-count");
let total = Number(count.dataset.total);

async function check(post) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(config.query)) if (value) params.set(name, value);
  params.set("kind", "post");
  params.set("order", "recent");
  params.set("limit", "10");
  const response = await fetch(`${config.api}?${params}`, {
    credentials: "same-origin", headers: { Accept: "application/json" },
  });
  if (!response.ok) return;
  const { items } = await response.json();
  const item = items.find((found) => found.id === post.id);
  if (!item || document.getElementById(`result-post-${item.id}`)) return;
  const li = document.createElement("li");
  li.id = `result-post-${item.id}`;
  const link = document.createElement("a");
  link.href = item.url;
  link.textContent = item.title;
  const excerpt = document.createElement("p");
  excerpt.innerHTML = item.excerpt; // escaped by the server, <mark> its only markup
  li.append(link, excerpt);
  list.prepend(li);
  section.hidden = false;
  total += 1;
  count.textContent = plural(config.strings, "count", total);
}

if (config.live) {
  new Live({
    territory: config.slug,
    afterSeq: config.seq,
    onEvent({ type, data }) {
      if (type === "post.created" && !data.deleted) check(data);
    },
    onStatus(status) {
      document.querySelector("[data-search-results]").dataset.linkState = status;
    },
    onJoined() {},
  }).start();
}
