import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ROOT } from "../helpers/org.js";

/**
 * The layers of src/, one folder each, and the folders each may import from. Every import points one way:
 * core at the bottom (the shared vocabulary: emails, the organization user, safe text, digests, plural);
 * files and terminal are effects at the edge that only core feeds; manifest, then plan above it; telnyx beside
 * them on core alone; targets (a run's organizations, each connected with its own client and planned) on plan
 * and telnyx; apply on plan and telnyx; render on plan and apply; github on the renderers; session (the effects
 * of one run at a terminal or in a log: progress, signals, the question, lost output) on all of those; commands
 * on everything below; cli on commands. The generated validators belong to the manifest and plan layers.
 */
const MAY_IMPORT: Record<string, readonly string[]> = {
  core: [],
  files: ["core"],
  terminal: ["core"],
  generated: [],
  manifest: ["core", "files", "generated"],
  telnyx: ["core"],
  plan: ["core", "files", "generated", "manifest"],
  targets: ["core", "terminal", "manifest", "plan", "telnyx"],
  apply: ["core", "files", "manifest", "plan", "telnyx"],
  render: ["core", "manifest", "plan", "apply"],
  sandbox: ["core", "files"],
  github: ["core", "files", "terminal", "manifest", "plan", "apply", "render"],
  session: ["core", "files", "terminal", "manifest", "telnyx", "plan", "targets", "apply", "render", "github"],
  commands: [
    "core",
    "files",
    "terminal",
    "generated",
    "manifest",
    "telnyx",
    "plan",
    "targets",
    "apply",
    "render",
    "sandbox",
    "github",
    "session",
    "examples",
  ],
  cli: ["core", "files", "terminal", "manifest", "telnyx", "plan", "apply", "render", "sandbox", "github", "commands"],
  ".": ["cli", "terminal"],
};

const SRC = join(ROOT, "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** The folder of src/ a path is in ("." for src/ itself), or the path's first folder outside src/. */
function layerOf(path: string): string {
  const rel = relative(SRC, path);
  if (rel.startsWith("..")) return relative(ROOT, path).split("/")[0]!;
  const parts = rel.split("/");
  return parts.length === 1 ? "." : parts[0]!;
}

/** Every relative import of a file: static, type-only, re-exports and lazy `import()`. */
function relativeImports(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) found.push(match[1]!);
  return found;
}

/** "file imports target": every import that points against the layers' order. */
function violations(): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const from = layerOf(file);
    const allowed = MAY_IMPORT[from];
    for (const specifier of relativeImports(readFileSync(file, "utf8"))) {
      const to = layerOf(resolve(dirname(file), specifier));
      if (to === from) continue;
      if (!allowed)
        found.push(`${relative(ROOT, file)}: the folder src/${from} has no place in the layers (add it to MAY_IMPORT)`);
      else if (!allowed.includes(to))
        found.push(`${relative(ROOT, file)} imports ${specifier}: src/${from} may not import from ${to}`);
    }
  }
  return found;
}

test("every import in src/ points down the layers: core, manifest, plan, telnyx, apply, render, commands, cli", () => {
  assert.equal(violations(), []);
});

/** The file an import names: its `.js` specifier is the `.ts` or `.tsx` file beside it. */
function importedFile(file: string, specifier: string): string | undefined {
  const target = resolve(dirname(file), specifier);
  const candidates = [target.replace(/\.js$/, ".ts"), target.replace(/\.js$/, ".tsx"), target];
  return candidates.find((path) => existsSync(path) && /\.tsx?$/.test(path));
}

/** Every import circle among `graph`'s files, each once, as "a -> b -> a" (Tarjan's strongly connected components). */
function circles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[] = [];
  const visit = (file: string) => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(file, Math.min(low.get(file)!, index.get(next)!));
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    const selfImport = (graph.get(file) ?? []).includes(file);
    if (component.length > 1 || selfImport) found.push([...component.reverse(), component[0]!].join(" -> "));
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return found.sort();
}

/**
 * src/'s files and the files each imports (static, type-only, re-exports and lazy `import()`), relative to the root.
 */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const imports = relativeImports(readFileSync(file, "utf8")).flatMap(
      (specifier) => importedFile(file, specifier) ?? [],
    );
    graph.set(relative(ROOT, file), [...new Set(imports.map((path) => relative(ROOT, path)))]);
  }
  return graph;
}

test("no import circle anywhere in src/: every module can be read, and loaded, before the ones that import it", () => {
  assert.equal(circles(importGraph()), []);
});

test("the circle check finds a circle of two modules, of three, and a module importing itself", () => {
  const graph = new Map([
    ["a", ["b"]],
    ["b", ["a", "c"]],
    ["c", ["d"]],
    ["d", ["e"]],
    ["e", ["c"]],
    ["f", ["f"]],
    ["g", ["a"]],
  ]);
  assert.equal(circles(graph), ["a -> b -> a", "c -> d -> e -> c", "f -> f"]);
  assert.equal(
    circles(
      new Map([
        ["a", ["b"]],
        ["b", []],
      ]),
    ),
    [],
  );
});

test("the check finds an upward import: it reads imports as the layers test does", () => {
  assert.equal(
    relativeImports(
      `import { a } from "../render/x.js";\nexport { b } from "./y.js";\nconst c = await import("../cli/z.js");`,
    ),
    ["../render/x.js", "./y.js", "../cli/z.js"],
  );
  assert.is(layerOf(join(SRC, "telnyx", "client.ts")), "telnyx");
  assert.not.ok(MAY_IMPORT.telnyx!.includes("render"), "telnyx may not import render");
  assert.not.ok(MAY_IMPORT.core!.length, "core imports nothing of roster's");
});

test.run();
