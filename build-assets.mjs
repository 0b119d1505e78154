// Build the web UI's CSS and JS from npm packages into static/build/ (run by `make assets`).
// Everything the pages load comes from here: no CDN at run time, no vendored copies in git.
import * as esbuild from "esbuild";
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(fileURLToPath(import.meta.url));
const sources = join(root, "src/amity/web/assets");
const outdir = join(root, "static/build");
const watch = process.argv.includes("--watch");

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

const options = {
  // app.js imports app.css, so esbuild writes build/app.js and build/app.css side by side.
  // charts.js (Chart.js) is loaded only by the pages that draw charts, to keep every other page light.
  entryPoints: { app: join(sources, "app.js"), charts: join(sources, "charts.js") },
  outdir,
  bundle: true,
  minify: !watch,
  sourcemap: true,
  target: ["es2020", "chrome100", "firefox100", "safari15"],
  // Fonts referenced by the icon font's CSS are copied next to the bundle with hashed names.
  loader: { ".woff2": "file", ".woff": "file", ".ttf": "file", ".svg": "file", ".png": "file" },
  assetNames: "assets/[name]-[hash]",
  legalComments: "linked",
  logLevel: "info",
};

if (watch) {
  const context = await esbuild.context(options);
  await context.watch();
} else {
  await esbuild.build(options);
}

for (const file of ["logo.svg", "favicon.svg"]) {
  cpSync(join(sources, file), join(outdir, file));
}
