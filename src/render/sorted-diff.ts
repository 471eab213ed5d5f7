import type { StructuredPatchHunk } from "diff";

/** One line of an edit script: kept (" "), only before ("-"), only after ("+"). */
interface Edit {
  kind: " " | "-" | "+";
  text: string;
}

/** A line of a sorted list: its sort key and the text shown for it. */
export interface SortedLine {
  key: string;
  text: string;
}

/**
 * The unified-diff hunks between two lists sorted by a unique key, in the form the `diff` package formats
 * (`formatPatch`). Both sides being sorted, a single merge finds the edits in linear time, where a general
 * diff (Myers) grows with the product of the size and the number of edits: quadratic when 20,000 users
 * go at once.
 */
export function sortedDiffHunks(
  before: readonly SortedLine[],
  after: readonly SortedLine[],
  context = 3,
): StructuredPatchHunk[] {
  const edits: Edit[] = [];
  // Within a run of changes, removed lines come before added ones, as every diff tool prints them.
  let added: Edit[] = [];
  const flushAdded = () => {
    for (const edit of added) edits.push(edit);
    added = [];
  };
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    const a = before[i];
    const b = after[j];
    if (a && b && a.key === b.key) {
      flushAdded();
      edits.push({ kind: " ", text: a.text });
      i += 1;
      j += 1;
    } else if (a && (!b || a.key < b.key)) {
      edits.push({ kind: "-", text: a.text });
      i += 1;
    } else {
      added.push({ kind: "+", text: b!.text });
      j += 1;
    }
  }
  flushAdded();
  return hunksOf(edits, context);
}

/** Groups the edits into hunks with `context` unchanged lines around each run of changes. */
function hunksOf(edits: readonly Edit[], context: number): StructuredPatchHunk[] {
  const hunks: StructuredPatchHunk[] = [];
  let hunk: StructuredPatchHunk | undefined;
  let lastChange = -1;
  // Lines of each side before edit k, 0-based.
  let oldLine = 0;
  let newLine = 0;
  const add = (target: StructuredPatchHunk, edit: Edit) => {
    target.lines.push(`${edit.kind}${edit.text}`);
    if (edit.kind !== "+") target.oldLines += 1;
    if (edit.kind !== "-") target.newLines += 1;
  };
  const close = () => {
    if (!hunk) return;
    for (let k = lastChange + 1; k <= Math.min(lastChange + context, edits.length - 1); k += 1) add(hunk, edits[k]!);
    hunks.push(hunk);
    hunk = undefined;
  };
  edits.forEach((edit, k) => {
    if (edit.kind !== " ") {
      if (hunk && k - lastChange - 1 <= 2 * context) {
        for (let m = lastChange + 1; m < k; m += 1) add(hunk, edits[m]!);
      } else {
        close();
        // The lines just before k are unchanged, so the hunk starts `lead` lines earlier on both sides.
        const lead = Math.min(context, k - lastChange - 1);
        hunk = { oldStart: oldLine - lead + 1, oldLines: 0, newStart: newLine - lead + 1, newLines: 0, lines: [] };
        for (let m = k - lead; m < k; m += 1) add(hunk, edits[m]!);
      }
      add(hunk, edit);
      lastChange = k;
    }
    if (edit.kind !== "+") oldLine += 1;
    if (edit.kind !== "-") newLine += 1;
  });
  close();
  return hunks;
}
