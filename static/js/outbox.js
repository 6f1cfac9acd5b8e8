// Posts written but not yet acknowledged by the server, kept in localStorage so that a
// reload or a lost connection loses nothing. Each keeps its client_id: sending it again
// is safe, the server answers with the post it already stored.
import { storageGet, storageSet } from "./common.js";

export class Outbox {
  constructor(key) {
    this.key = key;
  }

  items() {
    const items = storageGet(this.key, []);
    return Array.isArray(items) ? items : [];
  }

  add(item) {
    storageSet(this.key, [...this.items().filter((i) => i.client_id !== item.client_id), item]);
  }

  get(clientId) {
    return this.items().find((i) => i.client_id === clientId);
  }

  update(clientId, changes) {
    storageSet(this.key, this.items().map((i) => (i.client_id === clientId ? { ...i, ...changes } : i)));
  }

  remove(clientId) {
    storageSet(this.key, this.items().filter((i) => i.client_id !== clientId));
  }
}
