// The quote builder: add catalog products (found as one types, at the customer's price) or free-text lines, remove lines,
// and keep each line's net and the quote's totals up to date while typing. The server recomputes
// everything on save (in Decimal, rounded per line the same way); these figures are a preview.

import { clearPicker } from "./picker.js";

const HUNDRED = 100;

function number(value) {
  const parsed = Number.parseFloat(String(value ?? "").replace(",", "."));
  return Number.isFinite(parsed) ? parsed : 0;
}

// Half up to the cent, on integers of cents so 1.005 rounds like the server's Decimal does.
function cents(value) {
  return Math.round((value + Number.EPSILON) * HUNDRED) / HUNDRED;
}

function lineFigures(row) {
  const field = (name) => number(row.querySelector(`[data-field="${name}"]`)?.value);
  const gross = cents(field("quantity") * field("unit_price"));
  const net = cents((field("quantity") * field("unit_price") * (HUNDRED - field("discount_percent"))) / HUNDRED);
  const tax = cents((net * field("tax_rate")) / HUNDRED);
  return { gross, net, tax };
}

function recompute(builder) {
  const format = new Intl.NumberFormat("en", { style: "currency", currency: builder.dataset.currency });
  const sums = { subtotal: 0, discount: 0, net: 0, tax: 0, total: 0 };
  builder.querySelectorAll("[data-lines] [data-line]").forEach((row) => {
    const figures = lineFigures(row);
    row.querySelector("[data-line-net]").textContent = format.format(figures.net);
    sums.subtotal += figures.gross;
    sums.discount += figures.gross - figures.net;
    sums.net += figures.net;
    sums.tax += figures.tax;
  });
  sums.total = sums.net + sums.tax;
  Object.entries(sums).forEach(([key, value]) => {
    const cell = builder.querySelector(`[data-total="${key}"]`);
    if (cell) cell.textContent = format.format(cents(value));
  });
}

function addLine(builder, values) {
  const template = builder.querySelector("#quote-line-template");
  const row = template.content.firstElementChild.cloneNode(true);
  Object.entries(values).forEach(([name, value]) => {
    const input = row.querySelector(`[name="line_${name}"]`);
    if (input) input.value = value;
  });
  builder.querySelector("[data-lines]").appendChild(row);
  recompute(builder);
  return row;
}

export function initQuoteBuilder(root = document) {
  const builder = root.querySelector("#quote-builder");
  if (!builder || builder.dataset.ready) return;
  builder.dataset.ready = "1";
  builder.addEventListener("input", () => recompute(builder));
  builder.addEventListener("click", (event) => {
    const remove = event.target.closest("[data-remove-line]");
    if (remove) {
      remove.closest("[data-line]").remove();
      recompute(builder);
    } else if (event.target.closest("[data-add-line]")) {
      addLine(builder, { quantity: "1", discount_percent: "0", tax_rate: "0" }).querySelector('[name="line_name"]').focus();
    }
  });
  // "Add a product" is a search-as-you-type picker (picker.js): a choice adds its line and empties the box for the next.
  const adder = builder.querySelector("[data-add-product]");
  adder?.addEventListener("picker:chosen", (event) => {
    const chosen = event.detail;
    addLine(builder, {
      product_id: chosen.value,
      name: chosen.label,
      quantity: "1",
      unit_price: chosen.price ?? "",
      discount_percent: "0",
      tax_rate: chosen.tax ?? "0",
    });
    clearPicker(event.target);
  });
  // Enter in the box chooses while suggestions are open (picker.js); closed, it must not save the whole quote.
  adder?.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    const list = adder.querySelector("[role=listbox]");
    if (list?.hidden) event.preventDefault();
  });
  recompute(builder);
}
