// Small helpers shared by the workspace pages. The page's strings and settings come from
// its <script type="application/json" id="workspace-config"> block (translated by the
// server), never from this code.

export const lang = document.documentElement.lang || "fr";

export function readConfig() {
  return JSON.parse(document.getElementById("workspace-config").textContent);
}

/** "{name} écrit…" + {name: "Paul"} → "Paul écrit…" */
export function format(template, params = {}) {
  return template.replace(/\{(\w+)\}/g, (match, key) => (key in params ? String(params[key]) : match));
}

const pluralRules = new Intl.PluralRules(lang);

/** Picks strings[`${base}_one`] or strings[`${base}_other`] by the page language's rule. */
export function plural(strings, base, n) {
  const form = pluralRules.select(n) === "one" ? "one" : "other";
  return format(strings[`${base}_${form}`], { n });
}

const dateFormat = new Intl.DateTimeFormat(lang, { dateStyle: "short", timeStyle: "short" });

export function formatDate(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : dateFormat.format(date);
}

export function newClientId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class ApiError extends Error {
  constructor(message, status, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** JSON API call with the session cookie and, for changes, the CSRF header. The server's
 *  error message (already in the user's language) becomes the thrown error's message. */
export async function api(method, url, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") {
    headers["X-CSRFToken"] = document.querySelector('meta[name="csrf-token"]').content;
  }
  let response;
  try {
    response = await fetch(url, {
      method, headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(null, 0, "network");
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    throw new ApiError(data?.error?.message ?? null, response.status, data?.error?.code);
  }
  return data;
}

export const apiBase = "/api/v1";

/** A message in the page's alert region, cleared after a while. */
let toastTimer = null;
export function toast(message) {
  const region = document.querySelector("[data-toast]");
  if (!region) return;
  region.textContent = message;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { region.textContent = ""; }, 8000);
}

export function storageGet(key, fallback) {
  try {
    const raw = localStorage.getItem(key);
    return raw === null ? fallback : JSON.parse(raw);
  } catch {
    return fallback;
  }
}

export function storageSet(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Private browsing or a full quota: the page still works, it just forgets on reload.
  }
}
