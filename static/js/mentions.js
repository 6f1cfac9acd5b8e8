// Completion of `@` in a composer: the ARIA 1.2 combobox pattern on a textarea (which keeps
// its textbox role: aria-autocomplete="list", aria-controls, aria-activedescendant) with a
// listbox of the territory's people and organisations whose name, or a word of it, starts
// with what follows the `@` (GET /api/v1/territories/<slug>/mentions?q=). Up/Down choose,
// Enter or Tab insert "@Name ", Escape closes; a click inserts too; a polite status says how
// many suggestions there are. Without this module, typing "@Name" mentions just the same.
// The list's markup and words come from <template id="mention-picker-template"> (_post.html).
import { api, apiBase, plural } from "./common.js";

const WAIT = 150; // ms of typing before asking the server
const LONGEST_QUERY = 60;
// The `@` being completed: at the start or after a character that is not part of an
// address, followed by the text up to the caret, on one line, not ending with a space.
const QUERY = new RegExp(`(?:^|[^\\p{L}\\p{N}._+@-])@([^@\\n]{0,${LONGEST_QUERY}})$`, "u");

let pickers = 0;

export function attachMentions(textarea, slug) {
  const template = document.getElementById("mention-picker-template");
  if (!template || !textarea || textarea.dataset.mentions) return;
  textarea.dataset.mentions = "on";
  const picker = template.content.firstElementChild.cloneNode(true);
  const list = picker.querySelector("[data-mention-list]");
  const status = picker.querySelector("[data-mention-status]");
  const words = { count_one: status.dataset.one, count_other: status.dataset.other };
  list.id = `mention-list-${++pickers}`;
  textarea.before(picker);
  picker.prepend(textarea);
  textarea.setAttribute("aria-autocomplete", "list");
  textarea.setAttribute("aria-controls", list.id);

  const cache = new Map();
  let items = [];
  let active = -1;
  let start = -1; // where the `@` being completed is
  let dismissed = ""; // the `@` and query whose list Escape closed (typing on reopens it)
  let timer = null;

  const isOpen = () => !list.hidden;

  function close() {
    list.hidden = true;
    list.replaceChildren();
    items = [];
    active = -1;
    textarea.removeAttribute("aria-activedescendant");
  }

  function activate(index) {
    active = index;
    list.querySelectorAll('[role="option"]').forEach((option, i) => {
      option.setAttribute("aria-selected", String(i === index));
      if (i === index) {
        textarea.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({ block: "nearest" });
      }
    });
    if (index < 0) textarea.removeAttribute("aria-activedescendant");
  }

  function show(found) {
    items = found;
    active = -1;
    textarea.removeAttribute("aria-activedescendant");
    status.textContent = found.length ? plural(words, "count", found.length) : status.dataset.none;
    if (!found.length) {
      close();
      return;
    }
    list.replaceChildren(...found.map((item, i) => {
      const option = document.createElement("li");
      option.id = `${list.id}-${i}`;
      option.className = "mention-picker__option";
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      const name = document.createElement("span");
      name.textContent = item.name;
      const detail = document.createElement("span");
      detail.className = "mention-picker__detail";
      detail.textContent = item.type === "person" ? item.organisation : status.dataset.organisation;
      option.append(name, detail);
      return option;
    }));
    list.hidden = false;
  }

  function insert(item) {
    const caret = textarea.selectionStart;
    const before = textarea.value.slice(0, start);
    const text = `@${item.name} `;
    textarea.value = before + text + textarea.value.slice(caret);
    const at = before.length + text.length;
    textarea.setSelectionRange(at, at);
    close();
    textarea.dispatchEvent(new Event("input", { bubbles: true })); // the preview follows
    textarea.focus();
  }

  async function suggest(query, at) {
    let found = cache.get(query);
    if (found === undefined) {
      const params = new URLSearchParams({ q: query });
      try {
        found = (await api("GET", `${apiBase}/territories/${slug}/mentions?${params}`)).items;
      } catch {
        return; // no suggestions: the `@Name` typed by hand still mentions
      }
      cache.set(query, found);
    }
    if (start === at && current()?.query === query) show(found);
  }

  /** The `@` before the caret and what follows it, or null. */
  function current() {
    if (textarea.selectionStart !== textarea.selectionEnd) return null;
    const match = QUERY.exec(textarea.value.slice(0, textarea.selectionStart));
    if (!match || /\s$/u.test(match[1])) return null;
    return { at: textarea.selectionStart - match[1].length - 1, query: match[1] };
  }

  function update() {
    const found = current();
    clearTimeout(timer);
    if (!found || `${found.at}:${found.query}` === dismissed) {
      start = -1;
      if (isOpen()) close();
      return;
    }
    start = found.at;
    timer = setTimeout(() => suggest(found.query, found.at), WAIT);
  }

  textarea.addEventListener("input", update);
  textarea.addEventListener("click", update);
  textarea.addEventListener("keyup", (event) => {
    if (["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) update();
  });
  textarea.addEventListener("blur", () => { clearTimeout(timer); close(); });

  textarea.addEventListener("keydown", (event) => {
    if (!isOpen()) return;
    if (event.altKey || event.ctrlKey || event.metaKey) {
      close(); // Ctrl+Enter sends the post: the list goes with it
      return;
    }
    const count = items.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      activate(active < 0 ? (step > 0 ? 0 : count - 1) : (active + step + count) % count);
    } else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) {
      event.preventDefault();
      insert(items[active]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      const found = current();
      dismissed = found ? `${found.at}:${found.query}` : "";
      close();
    }
  });

  // mousedown would take the focus from the textarea (and close the list) before the click.
  list.addEventListener("mousedown", (event) => event.preventDefault());
  list.addEventListener("click", (event) => {
    const option = event.target.closest('[role="option"]');
    if (option) insert(items[[...list.children].indexOf(option)]);
  });
}
