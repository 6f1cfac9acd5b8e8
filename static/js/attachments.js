// Attached documents: the list shown on a post, and the composer's file input enhanced
// (files dropped on the form or chosen are uploaded at once, then sent as `attachments`).
import { ApiError, apiBase } from "./common.js";

function sizeLabel(strings, size) {
  // Pages without these strings (contributions) show the French units.
  if (size >= 1048576) return (strings.size_mb ?? "{n} Mo").replace("{n}", (size / 1048576).toFixed(1).replace(".", ","));
  return (strings.size_kb ?? "{n} ko").replace("{n}", String(Math.ceil(size / 1024)));
}

/** Fills a `[data-field="attachments"]` list with a post's files (as _attachments.html). */
export function fillAttachments(list, items, strings) {
  list.replaceChildren();
  list.hidden = !items?.length;
  for (const file of items ?? []) {
    const li = document.createElement("li");
    li.className = "attachment";
    const link = document.createElement("a");
    link.className = "attachment__link";
    link.href = file.url;
    link.setAttribute("download", "");
    if (file.thumbnail) {
      const img = document.createElement("img");
      Object.assign(img, { className: "attachment__thumbnail", src: file.thumbnail_url, alt: "", width: 48, height: 48 });
      link.append(img);
    }
    const name = document.createElement("span");
    name.className = "attachment__name";
    name.textContent = file.name;
    link.append(name);
    const meta = document.createElement("span");
    meta.className = "attachment__meta";
    meta.textContent = `${file.name.split(".").pop().toUpperCase()}, ${sizeLabel(strings, file.size)}`;
    li.append(link, meta);
    list.append(li);
  }
}

async function upload(slug, file) {
  const body = new FormData();
  body.append("file", file);
  const response = await fetch(`${apiBase}/territories/${encodeURIComponent(slug)}/files`, {
    method: "POST", body, credentials: "same-origin",
    headers: { Accept: "application/json",
      "X-CSRFToken": document.querySelector('meta[name="csrf-token"]').content },
  }).catch(() => { throw new ApiError(null, 0, "network"); });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(data?.error?.message ?? null, response.status, data?.error?.code);
  return data;
}

/** The composer `form`'s attachments: returns {ids(), reset(), busy()}. */
export function setupAttach(form, { slug, strings, onError }) {
  const input = form.querySelector('input[type="file"]');
  const list = form.querySelector("[data-attach-list]");
  if (!input || !list) return { ids: () => [], reset() {}, busy: () => false };
  let pending = 0;

  const add = async (file) => {
    const li = document.createElement("li");
    li.className = "attach__item";
    li.textContent = strings.uploading.replace("{name}", file.name);
    list.append(li);
    pending += 1;
    try {
      const stored = await upload(slug, file);
      li.textContent = `${stored.name} (${sizeLabel(strings, stored.size)}) `;
      const hidden = Object.assign(document.createElement("input"), { type: "hidden", name: "attachments", value: stored.id });
      const remove = Object.assign(document.createElement("button"), { type: "button", className: "button button--link" });
      remove.textContent = strings.remove;
      remove.setAttribute("aria-label", strings.remove_named.replace("{name}", stored.name));
      remove.addEventListener("click", () => li.remove());
      li.append(hidden, remove);
    } catch (failure) {
      li.remove();
      onError(failure.message || strings.error);
    } finally {
      pending -= 1;
    }
  };
  const addAll = (fileList) => { for (const file of fileList) add(file); };

  input.addEventListener("change", () => {
    addAll(input.files);
    input.value = ""; // uploaded already: the form must not send them again
  });
  form.addEventListener("dragover", (event) => {
    if (!event.dataTransfer?.types.includes("Files")) return;
    event.preventDefault();
    form.classList.add("composer--drop");
  });
  form.addEventListener("dragleave", () => form.classList.remove("composer--drop"));
  form.addEventListener("drop", (event) => {
    if (!event.dataTransfer?.files.length) return;
    event.preventDefault();
    form.classList.remove("composer--drop");
    addAll(event.dataTransfer.files);
  });
  return {
    ids: () => [...list.querySelectorAll('input[name="attachments"]')].map((i) => i.value),
    reset: () => list.replaceChildren(),
    busy: () => pending > 0,
  };
}
