// A workshop's live page and its projector view. The server holds the state (current
// item, its timer, votes, contributions): on every event about this workshop the live
// part is fetched again, server-rendered, and swapped in. The timer counts down from the
// server's `item_ends_at`, corrected by the offset between this clock and the server's,
// so every screen shows the same remaining time, also after a reload or a reconnection.
// The page works without this script (forms post and redirect back).
import { Live } from "./live.js";
import { attachMentions } from "./mentions.js";

const config = JSON.parse(document.getElementById("workshop-config").textContent);
const S = config.strings;
const container = document.getElementById("workshop-live");
const status = document.getElementById("live-status");
attachMentions(document.getElementById("compose-body"), config.territory);

let offset = 0; // server clock − this clock, in ms
let endsAt = null;

function readTimer() {
  const timer = document.getElementById("workshop-timer");
  endsAt = timer ? Date.parse(timer.dataset.endsAt) : null;
  if (timer) offset = Date.parse(timer.dataset.serverNow) - Date.now();
  tick();
}

function tick() {
  const timer = document.getElementById("workshop-timer");
  if (!timer || endsAt === null) return;
  const left = Math.round((endsAt - (Date.now() + offset)) / 1000);
  const over = left < 0;
  const seconds = Math.abs(left);
  const text = `${String(Math.floor(seconds / 60)).padStart(2, "0")}:${String(seconds % 60).padStart(2, "0")}`;
  timer.querySelector("[data-timer-value]").textContent = over ? `+${text}` : text;
  timer.querySelector("[data-timer-label]").textContent = over ? S.overtime : S.remaining;
  timer.classList.toggle("workshop-timer--over", over);
}

let inFlight = null;
let again = false;

async function refresh() {
  if (inFlight) {
    again = true;
    return;
  }
  inFlight = (async () => {
    try {
      const response = await fetch(config.partial, { credentials: "same-origin" });
      if (response.ok) {
        container.innerHTML = await response.text();
        readTimer();
      }
    } catch {
      // offline: the next event or reconnection refreshes again
    }
  })();
  await inFlight;
  inFlight = null;
  if (again) {
    again = false;
    refresh();
  }
}

function renderPresent(people) {
  const list = document.getElementById("present-list");
  if (!list || !Array.isArray(people)) return;
  list.replaceChildren(...people.map((person) => {
    const li = document.createElement("li");
    li.dataset.userId = person.id;
    const name = document.createElement("strong");
    name.textContent = person.name;
    const org = document.createElement("span");
    org.className = "muted";
    org.textContent = person.organisation ?? "";
    li.append(name, " ", org);
    return li;
  }));
  const count = document.querySelector("[data-present-count]");
  if (count) count.textContent = `(${people.length})`;
}

function concerns(event) {
  const { type, data } = event;
  if (type === "workshop.vote") return data.workshop === config.workshop;
  if (type.startsWith("workshop.")) return data.id === config.workshop;
  if (type === "post.created") return data.workshop === config.workshop;
  return type.startsWith("post.");
}

const live = new Live({
  territory: config.territory,
  afterSeq: null,
  onEvent(event) {
    if (event.type === "presence") {
      if (event.data.workshop === config.workshop) renderPresent(event.data.present);
      return;
    }
    if (!concerns(event)) return;
    // A change of state changes the controls and forms around the live part too.
    const reload = !config.projector && (event.type === "workshop.started"
      || event.type === "workshop.closed"
      || (event.type === "workshop.agenda" && event.data.status === "planned")
      || (event.type === "workshop.vote" && document.getElementById("new-vote-heading")));
    if (reload) window.location.reload();
    else refresh();
  },
  onStatus(state, detail) {
    if (status) status.textContent = detail ?? S[state] ?? "";
  },
  onJoined() {
    live.socket.emit("workshop", { territory: config.territory, workshop: config.workshop, present: true },
      (ack) => { if (ack?.ok) renderPresent(ack.present); });
    refresh(); // anything missed while away, and a fresh clock offset
  },
});

readTimer();
setInterval(tick, 500);
live.start();
