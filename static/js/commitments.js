// Commitments page: when a commitment is created or updated anywhere, re-fetch the
// server-rendered list (same filters) and swap it in. The page works without this.
import { io } from "/static/vendor/socket.io.esm.min.js";

const container = document.getElementById("commitment-groups");
const territory = container.dataset.territory;
const socket = io({ transports: ["websocket", "polling"] });

async function refresh() {
  const url = new URL(window.location.href);
  url.searchParams.set("partial", "1");
  const response = await fetch(url, { credentials: "same-origin" });
  if (response.ok) {
    container.innerHTML = await response.text();
  }
}

let lastSeq = null;
socket.on("connect", () => {
  socket.emit("join", { territory, after_seq: lastSeq }, (answer) => {
    if (!answer || !answer.ok) return;
    const missedCommitment = answer.missed.some((e) => e.type.startsWith("commitment."));
    lastSeq = answer.seq;
    if (missedCommitment) refresh();
  });
});
socket.on("event", (event) => {
  if (event.seq !== null && (lastSeq === null || event.seq > lastSeq)) lastSeq = event.seq;
  if (event.type === "commitment.created" || event.type === "commitment.updated") refresh();
});
