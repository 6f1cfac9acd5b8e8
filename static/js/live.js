// The territory's live connection (Socket.IO, default namespace, session cookie).
// Joining with `after_seq` returns what was missed. Events may arrive twice or slightly out
// of order (several server processes), and a member never sees the seqs of channels hidden
// from them, so "the highest seq seen" proves nothing about the ones below it. What is
// proven is the `seq` of a join's answer: everything up to it came in `missed`. That is
// the watermark we join again with after a reconnection, and refresh now and then while
// connected; each seq is handed on once.
import { io } from "../vendor/socket.io.esm.min.js";

const ACK_TIMEOUT = 10000;
const RESYNC_EVERY = 60000;
const RETRY_UNAVAILABLE = 5000;

export class Live {
  /**
   * @param {object} options
   * @param {string} options.territory  the territory's slug
   * @param {number|null} options.afterSeq  what the page already reflects
   * @param {(event: object) => void} options.onEvent  each new event, once
   * @param {(status: string, detail?: string) => void} options.onStatus
   *        "connecting" | "online" | "reconnecting" | "offline" | "refused"
   * @param {(ack: object) => void} options.onJoined  after each complete (re-)join
   */
  constructor({ territory, afterSeq, onEvent, onStatus, onJoined }) {
    this.territory = territory;
    this.highest = afterSeq;
    this.watermark = afterSeq;
    this.seen = new Set();
    this.onEvent = onEvent;
    this.onStatus = onStatus;
    this.onJoined = onJoined;
    this.joined = false;
  }

  start() {
    this.onStatus("connecting");
    this.socket = io({ transports: ["websocket", "polling"] });
    this.socket.on("connect", () => this.join(this.watermark));
    setInterval(() => { if (this.joined) this.join(this.watermark); }, RESYNC_EVERY);
    this.socket.on("disconnect", () => {
      this.joined = false;
      this.onStatus(navigator.onLine ? "reconnecting" : "offline");
    });
    this.socket.on("connect_error", (error) => {
      this.joined = false;
      // Refused by the server (signed out): socket.io gives up; a network error retries.
      // So does a server whose database is away for now: we try it again.
      if (error?.data?.code === "unavailable") {
        this.onStatus("reconnecting", error.data.message);
        setTimeout(() => { if (!this.socket.connected) this.socket.connect(); }, RETRY_UNAVAILABLE);
        return;
      }
      this.onStatus(this.socket.active ? (navigator.onLine ? "reconnecting" : "offline") : "refused",
        error?.data?.message);
    });
    this.socket.on("event", (event) => this.receive(event));
    // The person's own notifications: the header's bell (bell.js) shows them.
    this.socket.on("notification", (item) => document.dispatchEvent(
      new CustomEvent("concert:notification", { detail: item })));
    // The browser knows before the socket's heartbeat does: hold messages in the outbox
    // at once, and reconnect as soon as the network is back.
    window.addEventListener("offline", () => {
      this.socket.disconnect();
      this.onStatus("offline");
    });
    window.addEventListener("online", () => {
      if (!this.socket.connected) {
        this.onStatus("reconnecting");
        this.socket.connect();
      }
    });
  }

  join(afterSeq) {
    this.socket.timeout(ACK_TIMEOUT).emit("join", { territory: this.territory, after_seq: afterSeq },
      (timeout, ack) => {
        if (timeout) {
          if (this.socket.connected) this.join(afterSeq);
          return;
        }
        if (ack?.error?.code === "unavailable") {
          this.retrySoon(afterSeq);
          return;
        }
        if (!ack?.ok) {
          this.onStatus("refused", ack?.error?.message);
          this.socket.disconnect();
          return;
        }
        for (const event of ack.missed) this.receive(event);
        if (ack.more && ack.missed.length) {
          this.join(ack.missed[ack.missed.length - 1].seq);
          return;
        }
        this.highest = Math.max(this.highest ?? 0, ack.seq ?? 0);
        this.watermark = Math.max(this.watermark ?? 0, ack.seq ?? 0);
        this.joined = true;
        this.onStatus("online");
        this.onJoined(ack);
      });
  }

  /** Takes a seq as handled (a post known from its ack). False if its event came first. */
  claim(seq) {
    if (this.seen.has(seq)) return false;
    this.seen.add(seq);
    this.highest = Math.max(this.highest ?? 0, seq);
    return true;
  }

  receive(event) {
    if (!event || event.territory !== this.territory) return;
    if (event.seq != null) {
      if (this.seen.has(event.seq)) return;
      this.seen.add(event.seq);
      this.highest = Math.max(this.highest ?? 0, event.seq);
    }
    this.onEvent(event);
  }

  /** Sends a post; resolves with the ack ({ok, post} or {ok: false, error}), or null when
   *  no answer came in time (the post may or may not be stored: retry with its client_id). */
  post(payload) {
    return new Promise((resolve) => {
      if (!this.joined) {
        resolve(null);
        return;
      }
      this.socket.timeout(ACK_TIMEOUT).emit("post", { territory: this.territory, ...payload },
        (timeout, ack) => {
          if (timeout) return resolve(null);
          if (ack?.error?.code !== "unavailable") return resolve(ack);
          // The server's database is away for now: the outbox keeps the post, and the
          // next join (in a few seconds) sends it again.
          this.retrySoon(this.watermark);
          resolve(null);
        });
    });
  }

  /** Joins again in a few seconds: the server answered that it is unavailable for now. */
  retrySoon(afterSeq) {
    if (this.retrying) return;
    this.retrying = setTimeout(() => {
      this.retrying = null;
      if (this.socket.connected) this.join(afterSeq);
    }, RETRY_UNAVAILABLE);
  }

  typing(channel) {
    if (this.joined) this.socket.emit("typing", { territory: this.territory, channel });
  }
}
