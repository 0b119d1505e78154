// The case page: the composer's Reply / Internal note tabs, and keyboard shortcuts for the common actions
// (r reply, n note, s save the properties, c close the case, j/k the next and previous case in the queue).

function composer() {
  return document.getElementById("case-composer");
}

function setMode(mode) {
  const form = composer();
  if (!form) return;
  form.querySelectorAll("[data-composer-mode]").forEach((tab) => {
    const active = tab.dataset.composerMode === mode;
    tab.classList.toggle("active", active);
    tab.setAttribute("aria-selected", String(active));
  });
  form.querySelectorAll("[data-composer-hint]").forEach((hint) => {
    hint.hidden = hint.dataset.composerHint !== mode;
  });
  form.closest(".amity-case-page")?.setAttribute("data-composer-mode", mode);
}

document.addEventListener("click", (event) => {
  const tab = event.target instanceof Element ? event.target.closest("[data-composer-mode]") : null;
  if (tab) {
    event.preventDefault();
    setMode(tab.dataset.composerMode);
    composer()?.querySelector("textarea")?.focus();
  }
});

// "Insert" on a suggested article: its text goes at the end of the reply, which the agent then edits.
// The button sits far down the sidebar (or below the composer on a phone), so the reply is brought into view at once:
// the theme scrolls smoothly, and a smooth scroll that is still running leaves the agent looking at an empty column.
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-insert-article]") : null;
  const form = composer();
  const body = form?.querySelector("textarea");
  if (!button || !body) return;
  event.preventDefault();
  setMode("reply");
  body.value = body.value.trim() ? `${body.value.trimEnd()}\n\n${button.dataset.text}` : button.dataset.text;
  form.scrollIntoView({ block: "start", behavior: "instant" });
  body.focus({ preventScroll: true });
  body.setSelectionRange(body.value.length, body.value.length);
  body.scrollTop = body.scrollHeight;
});

function typing(event) {
  const target = event.target;
  return target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

function openNeighbour(step) {
  const rows = [...document.querySelectorAll(".amity-case-row")];
  if (!rows.length) return;
  const current = rows.findIndex((row) => row.classList.contains("amity-case-row-focus"));
  const next = rows[Math.min(rows.length - 1, Math.max(0, current + step))];
  rows.forEach((row) => row.classList.remove("amity-case-row-focus"));
  next.classList.add("amity-case-row-focus");
  next.querySelector("a")?.focus();
}

document.addEventListener("keydown", (event) => {
  if (event.metaKey || event.ctrlKey || event.altKey || typing(event)) return;
  const onCase = document.querySelector("[data-case-shortcuts]");
  if (event.key === "j" || event.key === "k") {
    openNeighbour(event.key === "j" ? 1 : -1);
    return;
  }
  if (!onCase) return;
  if (event.key === "r" || event.key === "n") {
    event.preventDefault();
    setMode(event.key === "n" ? "note" : "reply");
    composer()?.querySelector("textarea")?.focus();
  } else if (event.key === "s") {
    event.preventDefault();
    document.getElementById("case-properties")?.requestSubmit();
  } else if (event.key === "c") {
    const status = document.querySelector("#case-properties select[name=status]");
    if (status) {
      event.preventDefault();
      status.value = "closed";
      document.getElementById("case-properties")?.requestSubmit();
    }
  }
});
