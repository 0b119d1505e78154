// Search-as-you-type pickers (web/includes/picker.html): htmx fetches the options as one types; this file
// opens and closes the list, moves through it with the arrows, chooses with Enter, a click or a tap, and
// closes with Escape. The chosen option's id goes into the hidden input the form posts, and the picker
// dispatches `picker:chosen` with the option's data-* values.

function pickerOf(element) {
  return element instanceof Element ? element.closest("[data-picker]") : null;
}

function parts(picker) {
  return {
    input: picker.querySelector(".amity-picker-input"),
    value: picker.querySelector("[data-picker-value]"),
    list: picker.querySelector("[role=listbox]"),
  };
}

function options(list) {
  return Array.from(list.querySelectorAll("[role=option]"));
}

function setOpen(picker, open) {
  const { input, list } = parts(picker);
  const show = open && list.childElementCount > 0;
  list.hidden = !show;
  input.setAttribute("aria-expanded", String(show));
  if (!show) highlight(picker, -1);
}

function highlight(picker, index) {
  const { input, list } = parts(picker);
  options(list).forEach((option, position) => {
    const active = position === index;
    option.classList.toggle("active", active);
    option.setAttribute("aria-selected", String(active));
    if (active) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    }
  });
  if (index < 0) input.removeAttribute("aria-activedescendant");
}

function move(picker, step) {
  const { list } = parts(picker);
  const items = options(list);
  if (items.length === 0) return;
  setOpen(picker, true);
  const current = items.findIndex((item) => item.classList.contains("active"));
  const next = current === -1 ? (step > 0 ? 0 : items.length - 1) : (current + step + items.length) % items.length;
  highlight(picker, next);
}

function choose(picker, option) {
  const { input, value } = parts(picker);
  value.value = option.dataset.value;
  input.value = option.dataset.label;
  input.dataset.chosen = option.dataset.label;
  input.classList.remove("is-invalid");
  setOpen(picker, false);
  value.dispatchEvent(new Event("change", { bubbles: true }));
  // The page's own script may act on the choice (the quote builder adds a line with the option's data-* values).
  picker.dispatchEvent(new CustomEvent("picker:chosen", { bubbles: true, detail: { ...option.dataset } }));
}

// Empty a picker again (after its choice was used, e.g. a line added from it).
export function clearPicker(picker) {
  const { input, value } = parts(picker);
  value.value = "";
  input.value = "";
  input.dataset.chosen = "";
  setOpen(picker, false);
}

document.addEventListener("keydown", (event) => {
  const picker = pickerOf(event.target);
  if (!picker || !event.target.classList.contains("amity-picker-input")) return;
  const { list } = parts(picker);
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    move(picker, event.key === "ArrowDown" ? 1 : -1);
  } else if (event.key === "Enter") {
    if (list.hidden) return; // a closed list: Enter submits the form as usual
    event.preventDefault();
    const active = list.querySelector("[role=option].active") || options(list)[0];
    if (active) choose(picker, active);
  } else if (event.key === "Escape" && !list.hidden) {
    event.preventDefault(); // inside a dialog Escape closes only the list
    event.stopPropagation();
    setOpen(picker, false);
  }
});

document.addEventListener("input", (event) => {
  const picker = pickerOf(event.target);
  if (!picker || !event.target.classList.contains("amity-picker-input")) return;
  // Typing again un-chooses: the form must not post an id the box no longer names.
  const { input, value } = parts(picker);
  if (input.value !== input.dataset.chosen) value.value = "";
});

document.addEventListener("focusin", (event) => {
  const picker = pickerOf(event.target);
  if (picker && event.target.classList.contains("amity-picker-input")) {
    event.target.select();
    setOpen(picker, true);
  }
});

// mousedown rather than click: the input keeps its focus, and a tap on a phone chooses in one go.
document.addEventListener("mousedown", (event) => {
  const option = event.target instanceof Element ? event.target.closest(".amity-picker [role=option]") : null;
  if (option) {
    event.preventDefault();
    choose(pickerOf(option), option);
  }
});

document.addEventListener("focusout", (event) => {
  const picker = pickerOf(event.target);
  if (picker && !picker.contains(event.relatedTarget)) setOpen(picker, false);
});

document.addEventListener("htmx:afterSwap", (event) => {
  const picker = pickerOf(event.detail.target);
  if (!picker || event.detail.target.getAttribute("role") !== "listbox") return;
  const { input, list } = parts(picker);
  options(list).forEach((option, index) => {
    option.id = `${list.id}-${index}`;
  });
  setOpen(picker, document.activeElement === input);
});

function remember(root) {
  root.querySelectorAll(".amity-picker-input").forEach((input) => {
    input.dataset.chosen = input.value;
  });
}

document.addEventListener("htmx:load", (event) => remember(event.detail.elt));
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => remember(document));
} else {
  remember(document);
}
