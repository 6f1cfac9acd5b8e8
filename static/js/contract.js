// Contract page: the draft is re-fetched (server-rendered) and swapped in when a commitment
// is created or updated, after a reconnection, and every POLL_MS while the page is shown:
// section texts, frameworks and the diagnostic have no event of their own, and an unchanged
// draft answers 304 (ETag), so nothing moves. The list of versions is re-fetched when one
// is frozen. The page works without this.
import { Live } from "./live.js";

const POLL_MS = 20000;

const container = document.getElementById("contract-document");
const versions = document.getElementById("contract-versions");
const status = document.getElementById("contract-status");
const COMMITMENT_EVENTS = new Set(["commitment.created", "commitment.updated"]);

function announce(message) {
  // Polite: a screen reader says it once, after what it is reading.
  status.textContent = "";
  setTimeout(() => { status.textContent = message; }, 100);
}

/** Fetches `url` and swaps the answer into `target` when it changed (ETag); one request
 * at a time per target. */
function refresher(target, url, message) {
  let pending = null;
  let again = false;
  let etag = target.dataset.etag ?? null;  // of what the page was rendered with
  const run = async () => {
    if (pending) {
      again = true;  // something changed while fetching: fetch once more afterwards
      return;
    }
    const headers = etag ? { "If-None-Match": etag } : {};
    pending = fetch(url, { credentials: "same-origin", cache: "no-store", headers });
    try {
      const response = await pending;
      if (response.status === 200) {
        etag = response.headers.get("ETag");
        target.innerHTML = await response.text();
        announce(message);
      }
    } finally {
      pending = null;
      if (again) {
        again = false;
        run();
      }
    }
  };
  return run;
}

if (container?.dataset.territory) {
  const refreshDocument = refresher(container, container.dataset.refresh, container.dataset.updated);
  const refreshVersions = refresher(versions, container.dataset.versions, container.dataset.frozen);
  let reconnected = false;
  new Live({
    territory: container.dataset.territory,
    afterSeq: Number(container.dataset.seq),  // what the page was rendered from
    onEvent: (event) => {
      if (COMMITMENT_EVENTS.has(event.type)) refreshDocument();
      if (event.type === "contract.version") refreshVersions();
    },
    onStatus: (state) => { if (state === "reconnecting" || state === "offline") reconnected = true; },
    onJoined: () => {
      if (reconnected) {
        reconnected = false;
        refreshDocument();
        refreshVersions();
      }
    },
  }).start();
  setInterval(() => { if (document.visibilityState === "visible") refreshDocument(); }, POLL_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") refreshDocument();
  });
}
