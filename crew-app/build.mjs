// Builds the crew app into one folder: app.js and sw.js bundled by esbuild, the static files
// copied and gzipped, and a build id (hash of everything) that names the service worker's cache.
//   node build.mjs [OUTDIR]   (default: dist)
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] ?? join(here, "dist");
mkdirSync(out, { recursive: true });
const common = { bundle: true, minify: true, target: ["chrome100"], legalComments: "none", write: false };

const app = await build({ ...common, entryPoints: [join(here, "src/main.ts")], format: "esm" });
const statics = ["index.html", "app.css", "manifest.webmanifest", "icon.svg"];
const hash = createHash("sha256");
hash.update(app.outputFiles[0].contents);
for (const f of statics) hash.update(readFileSync(join(here, "src", f)));
const id = hash.digest("hex").slice(0, 16);

const sw = await build({
  ...common,
  entryPoints: [join(here, "src/sw.ts")],
  format: "iife",
  define: { BUILD_ID: JSON.stringify(id) },
});
writeFileSync(join(out, "app.js"), app.outputFiles[0].contents);
writeFileSync(join(out, "sw.js"), sw.outputFiles[0].contents);
for (const f of statics) copyFileSync(join(here, "src", f), join(out, f));
// Each file also gzipped, served to browsers that accept it (a slow link's bytes, a third).
for (const f of ["app.js", "sw.js", ...statics]) {
  writeFileSync(join(out, `${f}.gz`), gzipSync(readFileSync(join(out, f)), { level: 9 }));
}
writeFileSync(join(out, "BUILD_ID"), id);
