// Bundles the CLI into dist/ so that `roster` starts with plain node, fast: one file for the commands,
// and ink with react in a separate chunk loaded only when a terminal preview is drawn. The JSON Schemas are
// compiled to plain functions first, so no run of roster loads Ajv. dist/action.js is the GitHub Action's
// entry (action.yml): it shares the chunks and runs dist/roster.js. THIRD-PARTY-NOTICES.txt is written from
// what the bundle holds (scripts/third-party-notices.mjs).
import { build } from "esbuild";
import { chmod, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { writeSchemaValidators } from "./schema-validators.mjs";
import { NOTICES_FILE, writeThirdPartyNotices } from "./third-party-notices.mjs";

/** ink's `await import("./devtools.js")` (only when DEV=true) resolves to an empty module. */
const noInkDevtools = {
  name: "no-ink-devtools",
  setup(build) {
    build.onResolve({ filter: /^\.\/devtools\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]ink[\\/]/.test(args.importer)
        ? { path: fileURLToPath(new URL("./shims/ink-devtools.js", import.meta.url)) }
        : undefined,
    );
  },
};

await writeSchemaValidators();
await rm("dist", { recursive: true, force: true });
await rm(NOTICES_FILE, { force: true });
const { metafile } = await build({
  entryPoints: { roster: "src/bin.ts", action: "src/github/action-main.ts" },
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  chunkNames: "chunks/[name]-[hash]",
  plugins: [noInkDevtools],
  define: { "process.env.NODE_ENV": '"production"' },
  // Bundled CommonJS dependencies (the proxy agents) call require() for node built-ins.
  banner: {
    js: 'import { createRequire as __rosterCreateRequire } from "node:module"; const require = __rosterCreateRequire(import.meta.url);',
  },
  legalComments: "none",
  logLevel: "warning",
  metafile: true,
});
await chmod("dist/roster.js", 0o755);
await writeThirdPartyNotices(metafile);
