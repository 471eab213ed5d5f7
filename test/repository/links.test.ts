import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ROOT } from "../helpers/org.js";

// The README is a front page and docs/ holds the manual: every relative link and #anchor between them (and
// from CONTRIBUTING, SECURITY and the CHANGELOG) must land on a file and a heading that exist.

const DOCS = join(ROOT, "docs");
const PAGES = [
  ...["README.md", "CONTRIBUTING.md", "SECURITY.md", "CHANGELOG.md"].map((name) => join(ROOT, name)),
  ...readdirSync(DOCS)
    .filter((name) => name.endsWith(".md"))
    .map((name) => join(DOCS, name)),
];

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- _]/gu, "")
    .replace(/ /g, "-");
}

/** A Markdown file's text without its fenced code blocks, where nothing is a link or a heading. */
function prose(path: string): string {
  return readFileSync(path, "utf8").replace(/^```[\s\S]*?^```/gm, "");
}

const anchorsOf = new Map<string, Set<string>>();
function anchors(path: string): Set<string> {
  let found = anchorsOf.get(path);
  if (!found) {
    found = new Set(
      prose(path)
        .split("\n")
        .filter((line) => /^#{1,6} /.test(line))
        .map((line) => slug(line.replace(/^#+ /, ""))),
    );
    anchorsOf.set(path, found);
  }
  return found;
}

/** Every link of a page that points inside the repository: [text](target). */
function links(path: string): string[] {
  return [...prose(path).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1]!)
    .filter((target) => !/^[a-z]+:/i.test(target));
}

test("every relative link and #anchor in the README, CONTRIBUTING, SECURITY, the CHANGELOG and docs/ resolves", () => {
  const broken: string[] = [];
  let checked = 0;
  for (const page of PAGES) {
    for (const target of links(page)) {
      checked += 1;
      const [file, anchor] = target.split("#") as [string, string | undefined];
      const path = file === "" ? page : join(dirname(page), decodeURIComponent(file));
      const where = `${relative(ROOT, page)}: ${target}`;
      if (!existsSync(path)) {
        broken.push(`${where} (no such file)`);
        continue;
      }
      if (anchor !== undefined && !(statSync(path).isFile() && path.endsWith(".md") && anchors(path).has(anchor))) {
        broken.push(`${where} (no heading #${anchor})`);
      }
    }
  }
  assert.ok(checked > 40, `only ${checked} links were found`);
  assert.equal(broken, []);
});

test("the README is a front page of at most 250 lines, with the manual in at least five pages of docs/", () => {
  const lines = readFileSync(join(ROOT, "README.md"), "utf8").split("\n").length;
  assert.ok(lines <= 250, `README.md has ${lines} lines`);
  const pages = readdirSync(DOCS).filter((name) => name.endsWith(".md") && name !== "README.md");
  assert.ok(pages.length >= 5, pages.join(", "));
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  for (const name of pages) assert.ok(readme.includes(`](docs/${name})`), `the README links docs/${name}`);
});

test.run();
