// Contract page: the draft is re-fetched (server-rendered) and swapped in when a commitment
// is created or updated, a version is frozen, or after a reconnection (section texts have no
// event of their own). The page works without this.
import { Live } from "./live.js";

const container = document.getElementById("contract-document");
const status = document.getElementById("contract-status");
const REFRESHING = new Set(["commitment.created", "commitment.updated", "contract.version"]);

let pending = null;
async function refresh() {
  if (pending) return pending;
  pending = (async () => {
    const response = await fetch(container.dataset.refresh, { credentials: "same-origin" });
    if (response.ok) {
      container.innerHTML = await response.text();
      status.textContent = "";
      // Polite: a screen reader says it once, after what it is reading.
      setTimeout(() => { status.textContent = container.dataset.updated; }, 100);
    }
  })().finally(() => { pending = null; });
  return pending;
}

if (container?.dataset.territory) {
  let reconnected = false;
  new Live({
    territory: container.dataset.territory,
    afterSeq: Number(container.dataset.seq),  // what the page was rendered from
    onEvent: (event) => { if (REFRESHING.has(event.type)) refresh(); },
    onStatus: (state) => { if (state === "reconnecting" || state === "offline") reconnected = true; },
    onJoined: () => {
      if (reconnected) {
        reconnected = false;
        refresh();
      }
    },
  }).start();
}
