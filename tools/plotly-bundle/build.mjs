// Builds ../../src/competency/static/vendor/plotly.min.js from entry.js with esbuild, the way plotly.js builds
// its own partial bundles, then writes its .br and .gz siblings (served as they are: no compression per request)
// and copies plotly.js's licence beside it. Run: npm ci && npm run build
import { build } from "esbuild";
import { readFileSync, writeFileSync, copyFileSync, mkdirSync } from "node:fs";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const out = join(here, "..", "..", "src", "competency", "static", "vendor");
const target = join(out, "plotly.min.js");
const pkg = JSON.parse(readFileSync(require.resolve("plotly.js/package.json"), "utf8"));

mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(here, "entry.js")],
  outfile: target,
  bundle: true,
  minify: true,
  format: "iife",
  globalName: "Plotly",
  target: "es2018",
  legalComments: "none",
  define: { global: "window" },
  // maplibre-gl.css comes in through a map module the pages never use: leave it out.
  loader: { ".css": "empty" },
  banner: { js: `/* plotly.js v${pkg.version} partial bundle (core, scatterpolar, heatmap). MIT licence: plotly.LICENSE.txt */` },
  logLevel: "warning",
});
const js = readFileSync(target);
writeFileSync(target + ".br", brotliCompressSync(js, {
  params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: js.length },
}));
writeFileSync(target + ".gz", gzipSync(js, { level: 9 }));
copyFileSync(join(dirname(require.resolve("plotly.js/package.json")), "LICENSE"), join(out, "plotly.LICENSE.txt"));
console.log(`plotly.min.js: ${js.length} bytes`);
