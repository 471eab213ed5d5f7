import type { SourcePosition } from "./manifest.js";

/** One problem found in a manifest, at a place in the file. */
export interface ManifestProblem extends SourcePosition {
  file: string;
  message: string;
  /** The file does not exist: there is no place in it to name, so the problem is shown without one. */
  missing?: true;
}

export function formatProblem(problem: ManifestProblem): string {
  if (problem.missing) return `${problem.file}: ${problem.message}`;
  return `${problem.file}:${problem.line}:${problem.col}: ${problem.message}`;
}

/** A manifest that cannot be used; carries every problem found, each positioned. */
export class ManifestError extends Error {
  readonly problems: ManifestProblem[];

  constructor(problems: ManifestProblem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "ManifestError";
    this.problems = problems;
  }
}
