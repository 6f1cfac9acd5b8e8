// The header's bell. Without JavaScript it is a link to /notifications; here it becomes a
// button (aria-expanded) opening the latest notifications under it, loaded from the
// server. Pages holding a live connection (live.js) pass on each `notification`: the count
// goes up and is announced politely.
const bell = document.querySelector("[data-bell]");

if (bell) {
  const link = bell.querySelector("[data-bell-toggle]");
  const panel = bell.querySelector("[data-bell-panel]");
  const count = bell.querySelector("[data-bell-count]");
  const label = bell.querySelector("[data-bell-label]");
  const status = bell.querySelector("[data-bell-status]");
  const lang = document.documentElement.lang;
  const words = lang === "en"
    ? { none: "none unread", one: "1 unread", many: (n) => `${n} unread`, fresh: "New notification" }
    : { none: "aucune non lue", one: "1 non lue", many: (n) => `${n} non lues`, fresh: "Nouvelle notification" };

  const button = document.createElement("button");
  button.type = "button";
  button.className = "bell__toggle button button--link";
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", panel.id);
  button.append(...link.childNodes);
  link.replaceWith(button);

  const load = async () => {
    const response = await fetch("/notifications/panel", { credentials: "same-origin" });
    if (response.ok) panel.innerHTML = await response.text();
  };

  const open = async () => {
    await load();
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
  };

  const close = (focus) => {
    panel.hidden = true;
    button.setAttribute("aria-expanded", "false");
    if (focus) button.focus();
  };

  button.addEventListener("click", () => {
    if (panel.hidden) open(); else close(false);
  });
  bell.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel.hidden) close(true);
  });
  document.addEventListener("click", (event) => {
    if (!panel.hidden && !bell.contains(event.target)) close(false);
  });

  const show = (unread) => {
    count.textContent = String(unread);
    count.hidden = unread === 0;
    label.textContent = unread === 0 ? words.none : unread === 1 ? words.one : words.many(unread);
  };

  document.addEventListener("concert:notification", () => {
    const unread = (parseInt(count.textContent, 10) || 0) + 1;
    show(unread);
    status.textContent = `${words.fresh} (${label.textContent})`;
    if (!panel.hidden) load();
  });
}
