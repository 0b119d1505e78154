// The web UI's behaviour. The Content-Security-Policy forbids inline scripts and handlers,
// so everything a page does beyond plain HTML and htmx attributes lives here.
import "./app.css";

import { Modal, Toast } from "@tabler/core";
import htmx from "htmx.org";
import Sortable from "sortablejs";

import "./cases.js";
import "./markdown_editor.js";
import "./picker.js";
import { initQuoteBuilder } from "./quote_builder.js";

window.htmx = htmx;

const TOAST_DELAY_MS = 6000;

// --- Flash messages: shown as toasts that fade after a while -----------------------------------
function showToasts(root) {
  root.querySelectorAll(".toast[data-amity-toast]").forEach((element) => {
    element.removeAttribute("data-amity-toast");
    const toast = Toast.getOrCreateInstance(element, { delay: TOAST_DELAY_MS, autohide: element.dataset.autohide !== "false" });
    toast.show();
  });
}

// --- Copy buttons: <button data-copy-target="#id"> copies the text of that element ----------------
async function copyText(button) {
  const target = document.querySelector(button.dataset.copyTarget);
  if (!target) return;
  const text = (target.value ?? target.textContent).trim();
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Clipboard API refused (plain http, old browser): select the text so Ctrl+C works.
    const range = document.createRange();
    range.selectNodeContents(target);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  const label = button.querySelector("[data-copy-label]");
  if (label) {
    const before = label.textContent;
    label.textContent = "Copied";
    button.classList.add("btn-success");
    setTimeout(() => {
      label.textContent = before;
      button.classList.remove("btn-success");
    }, 2000);
  }
}

// --- Confirmations: <form data-confirm="Remove Ada?"> asks before it submits ----------------------
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

// --- Auto-submit: a <select data-autosubmit> submits its form when changed -------------------------
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLElement && field.matches("[data-autosubmit]") && field.form) {
    field.form.requestSubmit();
  }
});

document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-copy-target]") : null;
  if (button) {
    event.preventDefault();
    copyText(button);
  }
});

// --- Global search: debounced by htmx; arrows move, Enter opens, Escape closes, "/" focuses ----------
function searchParts() {
  const input = document.getElementById("global-search");
  const results = document.getElementById("search-results");
  return { input, results };
}

function searchItems(results) {
  return Array.from(results.querySelectorAll("a.search-result"));
}

function openResults(results) {
  if (results.childElementCount > 0) results.classList.add("show");
}

function closeResults(results) {
  results.classList.remove("show");
  searchItems(results).forEach((item) => item.classList.remove("active"));
}

function moveSelection(results, step) {
  const items = searchItems(results);
  if (items.length === 0) return;
  const current = items.findIndex((item) => item.classList.contains("active"));
  const next = current === -1 ? (step > 0 ? 0 : items.length - 1) : (current + step + items.length) % items.length;
  items.forEach((item, index) => {
    item.classList.toggle("active", index === next);
    item.setAttribute("aria-selected", index === next ? "true" : "false");
  });
  items[next].scrollIntoView({ block: "nearest" });
}

document.addEventListener("keydown", (event) => {
  const { input, results } = searchParts();
  if (!input || !results) return;
  const typing = event.target instanceof HTMLElement && (event.target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(event.target.tagName));
  if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
    event.preventDefault();
    input.focus();
    input.select();
    return;
  }
  if (event.target !== input) return;
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    openResults(results);
    moveSelection(results, event.key === "ArrowDown" ? 1 : -1);
  } else if (event.key === "Enter") {
    const active = results.querySelector("a.search-result.active") || (results.classList.contains("show") ? searchItems(results)[0] : null);
    if (active) {
      event.preventDefault();
      window.location.assign(active.href);
    }
  } else if (event.key === "Escape") {
    event.preventDefault(); // a search field would clear itself; Escape only closes the results
    closeResults(results);
    input.blur();
  }
});

document.addEventListener("focusin", (event) => {
  const { input, results } = searchParts();
  if (input && results && event.target === input && input.value.trim()) openResults(results);
});

document.addEventListener("click", (event) => {
  const { input, results } = searchParts();
  if (!input || !results || !(event.target instanceof Node)) return;
  if (!results.contains(event.target) && event.target !== input) closeResults(results);
});

document.addEventListener("htmx:afterSwap", (event) => {
  const { input, results } = searchParts();
  if (results && event.detail.target === results) {
    if (input && input.value.trim()) openResults(results);
    else closeResults(results);
  }
  showToasts(event.detail.target);
});

function start() {
  showToasts(document);
  document.querySelectorAll("input[data-colour-preview]").forEach(previewColour);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}

// --- Lists: select-all, the bulk-actions bar, and confirmations on one submit button ---------------
function bulkParts() {
  const bar = document.querySelector("[data-bulk-bar]");
  const checks = Array.from(document.querySelectorAll("input[data-row-check]"));
  const all = document.querySelector("input[data-select-all]");
  return { bar, checks, all };
}

function updateBulkBar() {
  const { bar, checks, all } = bulkParts();
  const ticked = checks.filter((check) => check.checked).length;
  if (bar) {
    bar.hidden = ticked === 0;
    const count = bar.querySelector("[data-bulk-count]");
    if (count) count.textContent = `${ticked} selected`;
  }
  if (all) {
    all.checked = ticked > 0 && ticked === checks.length;
    all.indeterminate = ticked > 0 && ticked < checks.length;
  }
}

document.addEventListener("change", (event) => {
  const field = event.target;
  if (!(field instanceof HTMLInputElement)) return;
  if (field.matches("[data-select-all]")) {
    bulkParts().checks.forEach((check) => { check.checked = field.checked; });
    updateBulkBar();
  } else if (field.matches("[data-row-check]")) {
    updateBulkBar();
  }
});

document.addEventListener("htmx:afterSettle", updateBulkBar);

// A submit button with data-confirm asks before its form is sent.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  if (button instanceof HTMLElement && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

// Enter in <input data-enter-clicks="#button"> presses that button, not the form's first one.
document.addEventListener("keydown", (event) => {
  const field = event.target;
  if (event.key !== "Enter" || !(field instanceof HTMLInputElement) || !field.dataset.enterClicks) return;
  const button = document.querySelector(field.dataset.enterClicks);
  if (button instanceof HTMLButtonElement) {
    event.preventDefault();
    button.click();
  }
});

// --- Forms swapped in by htmx: a 422 answer is the form again with its errors, so show it -------------
// Settling copies an old element's style attribute onto its new copy (same id), which the CSP (style-src 'self') blocks;
// the UI writes no inline styles, and form fields swapped back with their errors keep their ids.
htmx.config.attributesToSettle = ["class", "width", "height"];
htmx.config.responseHandling = [
  { code: "204", swap: false },
  { code: "[23]..", swap: true },
  { code: "422", swap: true },
  { code: "[45]..", swap: false, error: true },
  { code: "...", swap: false },
];

// A fragment may bring a toast (a flash message); it can land outside the swapped element (outerHTML, out of band).
document.addEventListener("htmx:afterSettle", () => showToasts(document));

// --- A record's page: the quick-log form above the timeline ---------------------------------------
function closeComposer() {
  const composer = document.getElementById("composer");
  if (composer) composer.replaceChildren();
}

document.addEventListener("click", (event) => {
  if (event.target instanceof Element && event.target.closest("[data-composer-close]")) {
    event.preventDefault();
    closeComposer();
  }
});

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && event.target instanceof Element && event.target.closest("#composer") && !document.querySelector(".amity-mention-menu.show")) {
    closeComposer();
  }
});

document.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail.target;
  if (target instanceof HTMLElement && target.id === "composer" && target.querySelector("form")) {
    if (getComputedStyle(target.firstElementChild).position !== "fixed") target.scrollIntoView({ block: "nearest", behavior: "smooth" });
    const first = target.querySelector("[autofocus]") || target.querySelector("input:checked, input, select, textarea");
    if (first instanceof HTMLElement) first.focus({ preventScroll: true });
  }
});

// --- @mentions in a note: type @ and a few letters, pick a colleague, get @[Name](user:12) ---------------
const MENTION_QUERY = /(^|\s)@([^\s@[\]()]{0,40})$/;
const MENTION_LIMIT = 6;

function mentionParts(textarea) {
  const wrap = textarea.closest(".amity-mention-wrap");
  const menu = wrap ? wrap.querySelector(".amity-mention-menu") : null;
  const list = textarea.form ? textarea.form.querySelector("[data-mention-people]") : null;
  return { menu, list };
}

function mentionQuery(textarea) {
  const before = textarea.value.slice(0, textarea.selectionStart);
  const match = MENTION_QUERY.exec(before);
  return match ? { query: match[2], start: before.length - match[2].length - 1 } : null;
}

function closeMentions(menu) {
  if (!menu) return;
  menu.classList.remove("show");
  menu.replaceChildren();
}

function showMentions(textarea) {
  const { menu, list } = mentionParts(textarea);
  if (!menu || !list) return;
  const found = mentionQuery(textarea);
  if (!found) {
    closeMentions(menu);
    return;
  }
  const wanted = found.query.toLowerCase();
  const people = Array.from(list.children)
    .filter((person) => person.dataset.name.toLowerCase().split(/\s+/).some((part) => part.startsWith(wanted)) || person.dataset.email.startsWith(wanted))
    .slice(0, MENTION_LIMIT);
  menu.replaceChildren(
    ...people.map((person, index) => {
      const item = document.createElement("button");
      item.type = "button";
      item.className = `dropdown-item${index === 0 ? " active" : ""}`;
      item.setAttribute("role", "option");
      item.dataset.id = person.dataset.id;
      item.dataset.name = person.dataset.name;
      const name = document.createElement("span");
      name.textContent = person.dataset.name;
      const email = document.createElement("span");
      email.className = "text-secondary ms-2 small";
      email.textContent = person.dataset.email;
      item.append(name, email);
      return item;
    }),
  );
  menu.classList.toggle("show", people.length > 0);
}

function insertMention(textarea, item) {
  const found = mentionQuery(textarea);
  if (!found) return;
  const mention = `@[${item.dataset.name}](user:${item.dataset.id}) `;
  const after = textarea.value.slice(textarea.selectionStart);
  textarea.value = textarea.value.slice(0, found.start) + mention + after;
  const caret = found.start + mention.length;
  textarea.setSelectionRange(caret, caret);
  textarea.focus();
  closeMentions(mentionParts(textarea).menu);
}

document.addEventListener("input", (event) => {
  if (event.target instanceof HTMLTextAreaElement && event.target.hasAttribute("data-mentions")) showMentions(event.target);
});

document.addEventListener("keydown", (event) => {
  const textarea = event.target;
  if (!(textarea instanceof HTMLTextAreaElement) || !textarea.hasAttribute("data-mentions")) return;
  const { menu } = mentionParts(textarea);
  if (!menu || !menu.classList.contains("show")) return;
  const items = Array.from(menu.querySelectorAll(".dropdown-item"));
  const current = items.findIndex((item) => item.classList.contains("active"));
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    const next = (current + (event.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
    items.forEach((item, index) => item.classList.toggle("active", index === next));
  } else if (event.key === "Enter" || event.key === "Tab") {
    event.preventDefault();
    insertMention(textarea, items[Math.max(current, 0)]);
  } else if (event.key === "Escape") {
    event.preventDefault();
    closeMentions(menu);
  }
});

document.addEventListener("mousedown", (event) => {
  const item = event.target instanceof Element ? event.target.closest(".amity-mention-menu .dropdown-item") : null;
  if (!item) return;
  event.preventDefault(); // keep the focus (and the caret) in the note
  const textarea = item.closest(".amity-mention-wrap").querySelector("textarea[data-mentions]");
  if (textarea) insertMention(textarea, item);
});


// --- Imports: drop a file on a [data-dropzone] to put it into the zone's file input ----------------
function dropzoneOf(event) {
  return event.target instanceof Element ? event.target.closest("[data-dropzone]") : null;
}

function showChosenFile(zone) {
  const input = zone.querySelector("input[type=file]");
  const name = zone.querySelector("[data-dropzone-name]");
  if (input && name) name.textContent = input.files.length ? `Chosen: ${input.files[0].name}` : "";
}

["dragenter", "dragover"].forEach((type) => document.addEventListener(type, (event) => {
  const zone = dropzoneOf(event);
  if (!zone) return;
  event.preventDefault();
  zone.classList.add("is-dragover");
}));

document.addEventListener("dragleave", (event) => {
  const zone = dropzoneOf(event);
  if (zone && !(event.relatedTarget instanceof Node && zone.contains(event.relatedTarget))) zone.classList.remove("is-dragover");
});

document.addEventListener("drop", (event) => {
  const zone = dropzoneOf(event);
  if (!zone) return;
  event.preventDefault();
  zone.classList.remove("is-dragover");
  const input = zone.querySelector("input[type=file]");
  if (input && event.dataTransfer && event.dataTransfer.files.length) {
    input.files = event.dataTransfer.files;
    showChosenFile(zone);
  }
});

document.addEventListener("change", (event) => {
  const zone = dropzoneOf(event);
  if (zone && event.target instanceof HTMLInputElement && event.target.type === "file") showChosenFile(zone);
});

// --- Custom field form: the key follows the label, rules follow the type, options are added, moved, removed ----
const SPELLED_OUT = { ß: "ss", æ: "ae", Æ: "AE", ø: "o", Ø: "O", œ: "oe", Œ: "OE", ł: "l", Ł: "L", đ: "d", Đ: "D" };

function keyFromLabel(label) {
  let key = label.replace(/[ßæÆøØœŒłŁđĐ]/g, (letter) => SPELLED_OUT[letter]).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 60).replace(/_+$/, "");
  if (!/^[a-z]/.test(key)) key = `field_${key}`.replace(/_+$/, "").slice(0, 60);
  return key;
}

document.addEventListener("input", (event) => {
  const field = event.target;
  if (!(field instanceof HTMLInputElement)) return;
  const form = field.form;
  if (field.matches("[data-key-target]")) {
    field.dataset.touched = field.value ? "true" : "";
  } else if (field.matches("[data-key-source]") && form) {
    const key = form.querySelector("[data-key-target]");
    if (key instanceof HTMLInputElement && !key.dataset.touched) key.value = keyFromLabel(field.value);
  }
});

document.addEventListener("change", (event) => {
  const select = event.target;
  if (!(select instanceof HTMLSelectElement) || !select.matches("[data-type-select]") || !select.form) return;
  select.form.querySelectorAll("[data-for-types]").forEach((group) => {
    group.hidden = !group.dataset.forTypes.split(" ").includes(select.value);
  });
  const list = select.form.querySelector("[data-options]");
  if (list && !list.children.length && ["choice", "multi_choice"].includes(select.value)) addOption(list, false);
});

function addOption(list, focus) {
  const template = list.parentElement.querySelector("template[data-option-template]");
  if (!template) return;
  const row = template.content.firstElementChild.cloneNode(true);
  list.appendChild(row);
  if (focus) row.querySelector("input").focus();
}

document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-option-add], [data-option-move], [data-option-remove]") : null;
  if (!button) return;
  const fieldset = button.closest("fieldset");
  const list = fieldset && fieldset.querySelector("[data-options]");
  if (!list) return;
  if (button.matches("[data-option-add]")) {
    addOption(list, true);
    return;
  }
  const row = button.closest(".amity-option");
  if (button.matches("[data-option-remove]")) {
    row.remove();
  } else if (button.dataset.optionMove === "-1" && row.previousElementSibling) {
    list.insertBefore(row, row.previousElementSibling);
    button.focus();
  } else if (button.dataset.optionMove === "1" && row.nextElementSibling) {
    list.insertBefore(row.nextElementSibling, row);
    button.focus();
  }
});

// Enter in an option adds the next one instead of sending the form.
document.addEventListener("keydown", (event) => {
  const field = event.target;
  if (event.key !== "Enter" || !(field instanceof HTMLInputElement) || field.name !== "options") return;
  const list = field.closest("[data-options]");
  if (!list) return;
  event.preventDefault();
  addOption(list, true);
});

// --- Deal board: drag cards between stage columns (mouse and touch, by SortableJS) ----------------------
// A drop POSTs to /deals/<id>/move/ (the same service as the API). A lost stage first asks why;
// if the server refuses, or the dialog is cancelled, the card goes back where it was and a toast says why.
function csrfToken() {
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  } catch {
    return "";
  }
}

function toast(text, level = "error") {
  let box = document.querySelector(".amity-toasts");
  if (!box) {
    box = document.createElement("div");
    box.className = "amity-toasts";
    box.setAttribute("aria-live", "polite");
    document.body.appendChild(box);
  }
  const element = document.createElement("div");
  element.className = "toast mb-2";
  element.setAttribute("role", level === "error" ? "alert" : "status");
  const body = document.createElement("div");
  body.className = "toast-body d-flex align-items-start gap-2";
  const icon = document.createElement("i");
  icon.className = level === "error" ? "ti ti-alert-circle text-danger fs-2" : "ti ti-circle-check text-success fs-2";
  const message = document.createElement("div");
  message.className = "flex-fill";
  message.textContent = text;
  body.append(icon, message);
  element.appendChild(body);
  box.appendChild(element);
  Toast.getOrCreateInstance(element, { delay: TOAST_DELAY_MS }).show();
}

function putBack(event) {
  const { item, from, oldIndex } = event;
  const anchor = from.children[oldIndex] || null;
  from.insertBefore(item, anchor === item ? item.nextSibling : anchor);
}

async function sendMove(board, event, extra = {}) {
  const body = new URLSearchParams({ stage_id: event.to.dataset.stage, ...extra });
  let answer;
  try {
    const response = await fetch(`${board.dataset.dealsUrl}${event.item.dataset.deal}/move/`, {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      body,
      credentials: "same-origin",
    });
    answer = await response.json().catch(() => ({ error: `The server answered ${response.status}.` }));
    if (!response.ok) throw new Error(answer.error || `The server answered ${response.status}.`);
  } catch (error) {
    putBack(event);
    toast(`“${event.item.dataset.name}” was not moved: ${error.message}`);
    return;
  }
  // Counts and totals of both columns changed: redraw the board (with the page's filters).
  htmx.ajax("GET", window.location.href, { target: "#board", swap: "outerHTML" });
}

function askLostReason(board, event) {
  const dialog = document.getElementById("lost-dialog");
  const form = document.getElementById("lost-form");
  form.reset();
  dialog.querySelector("[data-deal-name]").textContent = event.item.dataset.name;
  const modal = Modal.getOrCreateInstance(dialog);
  let sent = false;
  const onSubmit = (submitEvent) => {
    submitEvent.preventDefault();
    if (!form.reportValidity()) return;
    sent = true;
    modal.hide();
    sendMove(board, event, Object.fromEntries(new FormData(form)));
  };
  form.addEventListener("submit", onSubmit);
  dialog.addEventListener("hidden.bs.modal", () => {
    form.removeEventListener("submit", onSubmit);
    if (!sent) putBack(event);
  }, { once: true });
  modal.show();
}

function startBoard(root) {
  const board = root.querySelector ? root.querySelector("#board") || (root.id === "board" ? root : null) : null;
  if (!board || board.dataset.canMove !== "1") return;
  board.querySelectorAll(".amity-board-cards:not([data-sortable])").forEach((list) => {
    list.dataset.sortable = "on"; // once per list, however many fragments settle afterwards
    Sortable.create(list, {
      group: "deals",
      draggable: ".amity-deal-card",
      animation: 150,
      delay: 150,
      delayOnTouchOnly: true,
      ghostClass: "amity-deal-ghost",
      // The forecast category's badge on a card is clicked, not dragged.
      filter: ".amity-cat-button",
      preventOnFilter: false,
      onEnd: (event) => {
        if (event.to === event.from) return;
        if (event.to.closest(".amity-board-column").dataset.kind === "lost") askLostReason(board, event);
        else sendMove(board, event);
      },
    });
  });
}

document.addEventListener("htmx:afterSettle", (event) => startBoard(event.detail.elt.id === "board" ? event.detail.elt : event.detail.elt.parentNode || document));
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => startBoard(document));
else startBoard(document);

// --- Deal board: one forecast-category menu for every card -------------------------------------------
// A card has only its category badge; the page has one menu (#category-menu, a form) which the badge opens
// under itself, aimed at that deal (the form's action) with its category checked. Keyboard: Enter or Space on
// the badge opens it on the checked item, arrows (and Home/End) move, Enter chooses, Escape or Tab closes.
const categoryMenu = {
  button: null,

  element() {
    return document.getElementById("category-menu");
  },

  items() {
    return [...this.element().querySelectorAll(".dropdown-item")];
  },

  open(button) {
    const menu = this.element();
    if (!menu) return;
    if (this.button) this.close(false);
    const card = button.closest(".amity-deal-card");
    menu.action = menu.dataset.action.replace("/0/", `/${card.dataset.deal}/`);
    menu.querySelector("[data-deal-name]").textContent = `“${card.dataset.name}”`;
    this.items().forEach((item) => {
      if (item.getAttribute("role") === "menuitemradio") {
        const checked = item.value === button.dataset.category;
        item.setAttribute("aria-checked", checked ? "true" : "false");
        item.classList.toggle("active", checked);
      }
    });
    menu.hidden = false;
    this.place(menu, button);
    button.setAttribute("aria-expanded", "true");
    this.button = button;
    (this.items().find((item) => item.classList.contains("active")) || this.items()[0]).focus({ preventScroll: true });
  },

  // Under the badge, kept inside the window (a phone's narrow screen, the last column's edge).
  place(menu, button) {
    const anchor = button.getBoundingClientRect();
    const margin = 8;
    const left = Math.min(anchor.left, window.innerWidth - menu.offsetWidth - margin);
    const below = anchor.bottom + 4;
    const top = below + menu.offsetHeight > window.innerHeight - margin ? Math.max(margin, anchor.top - menu.offsetHeight - 4) : below;
    menu.style.left = `${Math.max(margin, left)}px`;
    menu.style.top = `${top}px`;
  },

  close(returnFocus = true) {
    const menu = this.element();
    if (!menu || !this.button) return;
    menu.hidden = true;
    this.button.setAttribute("aria-expanded", "false");
    if (returnFocus && this.button.isConnected) this.button.focus();
    this.button = null;
  },

  move(step) {
    const items = this.items();
    const at = items.indexOf(document.activeElement);
    items[(at + step + items.length) % items.length].focus({ preventScroll: true });
  },
};

document.addEventListener("click", (event) => {
  const button = event.target.closest(".amity-cat-button");
  if (button) {
    if (categoryMenu.button === button) categoryMenu.close();
    else categoryMenu.open(button);
  } else if (categoryMenu.button && !event.target.closest("#category-menu")) {
    categoryMenu.close(false);
  }
});

document.addEventListener("keydown", (event) => {
  if (!categoryMenu.button || !event.target.closest("#category-menu")) return;
  const moves = { ArrowDown: 1, ArrowUp: -1 };
  if (event.key in moves) categoryMenu.move(moves[event.key]);
  else if (event.key === "Home") categoryMenu.items()[0].focus({ preventScroll: true });
  else if (event.key === "End") categoryMenu.items().at(-1).focus({ preventScroll: true });
  else if (event.key === "Escape") categoryMenu.close();
  else if (event.key === "Tab") categoryMenu.close();
  else return;
  if (event.key !== "Tab") event.preventDefault();
});

// Scrolling the board, a column or the page (or a phone's bar hiding, which resizes the window) moves the menu with its
// badge, and closes it once the badge is out of sight.
function followBadge() {
  const button = categoryMenu.button;
  if (!button) return;
  const anchor = button.getBoundingClientRect();
  const inSight = anchor.bottom > 0 && anchor.top < window.innerHeight && anchor.right > 0 && anchor.left < window.innerWidth;
  if (inSight) categoryMenu.place(categoryMenu.element(), button);
  else categoryMenu.close(false);
}
document.addEventListener("scroll", followBadge, true);
window.addEventListener("resize", followBadge);
document.addEventListener("htmx:beforeSwap", (event) => {
  if (categoryMenu.button && event.detail.target.contains(categoryMenu.button)) categoryMenu.close(false);
});

// The close-date filter shows its two dates only for "Custom dates…".
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.name === "period" && field.closest("#deal-filters")) {
    field.closest("#deal-filters").querySelector(".amity-deal-custom-dates").classList.toggle("d-none", field.value !== "custom");
  }
});

// --- Quote builder (quote_builder.js) ---------------------------------------------------------
document.addEventListener("DOMContentLoaded", () => initQuoteBuilder());

// --- Colour preview: <input type="color" data-colour-preview="#target"> colours the target as you pick ----------
function previewColour(input) {
  const target = document.querySelector(input.dataset.colourPreview);
  if (target instanceof HTMLElement && /^#[0-9a-f]{6}$/i.test(input.value)) target.style.setProperty("--amity-brand", input.value);
}
document.addEventListener("input", (event) => {
  if (event.target instanceof HTMLInputElement && event.target.dataset.colourPreview) previewColour(event.target);
});
