// The charts of the rep performance and service report pages, drawn with Chart.js (bundled from npm by esbuild; no CDN).
// Loaded only by the pages that have charts. Each <canvas data-chart="ID"> reads its configuration
// from <script type="application/json" id="ID"> (Django's json_script), so no inline script is needed.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";

Chart.register(BarController, BarElement, CategoryScale, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip);

const PALETTE = ["#066fd1", "#2fb344", "#f76707", "#ae3ec9", "#d63939", "#0ca678", "#4263eb", "#f59f00"];

function formatter(kind, currency) {
  if (kind === "count") return (value) => Number(value).toLocaleString(undefined, { maximumFractionDigits: 0 });
  if (kind === "percent") return (value) => `${Number(value).toLocaleString(undefined, { maximumFractionDigits: 1 })}%`;
  if (kind === "hours") return (value) => `${Number(value).toLocaleString(undefined, { maximumFractionDigits: 1 })} h`;
  if (kind === "days") return (value) => `${Number(value).toLocaleString(undefined, { maximumFractionDigits: 1 })} d`;
  if (kind === "money") {
    const format = new Intl.NumberFormat(undefined, { style: "currency", currency, maximumFractionDigits: 0, notation: "compact" });
    return (value) => format.format(value);
  }
  return (value) => Number(value).toLocaleString(undefined, { maximumFractionDigits: 1 });
}

// Counts (cases, surveys) step by whole numbers: with a few cases Chart.js would put ticks at 0.5 or 0.2.
// `precision: 0` rounds its step up to a whole number, so the step is at least 1.
function valueTicks(unit, format) {
  const ticks = { callback: format, maxTicksLimit: 6 };
  return unit === "count" ? { ...ticks, precision: 0 } : ticks;
}

// The value axis' ticks as last drawn, on the canvas (data-value-ticks), readable without the pixels (browser tests).
const TICKS_ON_CANVAS = {
  id: "amityValueTicks",
  afterUpdate(chart) {
    const axis = chart.options.indexAxis === "y" ? "x" : "y";
    chart.canvas.dataset.valueTicks = (chart.scales[axis]?.ticks || []).map((tick) => tick.value).join(" ");
  },
};

function draw(canvas) {
  const source = document.getElementById(canvas.dataset.chart);
  if (!source || canvas.dataset.drawn) return;
  canvas.dataset.drawn = "1";
  const spec = JSON.parse(source.textContent);
  const format = formatter(spec.unit, spec.currency);
  const datasets = spec.datasets.map((dataset, index) => {
    const colour = dataset.color || PALETTE[index % PALETTE.length];
    return {
      label: dataset.label,
      data: dataset.data,
      type: dataset.type || spec.type,
      backgroundColor: dataset.type === "line" || spec.type === "line" ? colour : `${colour}cc`,
      borderColor: colour,
      borderWidth: dataset.type === "line" || spec.type === "line" ? 2 : 0,
      borderDash: dataset.dashed ? [6, 4] : undefined,
      pointRadius: 3,
      spanGaps: true,
      tension: 0.25,
      order: dataset.type === "line" ? 0 : 1,
    };
  });
  const valueAxis = spec.horizontal ? "x" : "y";
  new Chart(canvas, {
    type: spec.type,
    plugins: [TICKS_ON_CANVAS],
    data: { labels: spec.labels, datasets },
    options: {
      // No grow animation for people who ask for less motion (and for screenshots, which would catch it half way).
      animation: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : undefined,
      indexAxis: spec.horizontal ? "y" : "x",
      maintainAspectRatio: false,
      responsive: true,
      interaction: { mode: "index", intersect: false },
      plugins: {
        legend: { display: datasets.length > 1, position: "bottom", labels: { boxWidth: 12 } },
        tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${item.raw === null ? "—" : format(item.raw)}` } },
      },
      scales: {
        [valueAxis]: { beginAtZero: true, max: spec.max, ticks: valueTicks(spec.unit, format) },
        [spec.horizontal ? "y" : "x"]: { ticks: { autoSkip: true, maxRotation: 0 }, grid: { display: false } },
      },
    },
  });
}

function drawAll(root) {
  root.querySelectorAll("canvas[data-chart]").forEach(draw);
}

document.addEventListener("DOMContentLoaded", () => drawAll(document));
document.addEventListener("htmx:afterSettle", (event) => drawAll(event.target));
