import { render } from "ink";
import type { Writable } from "node:stream";
import { ApplyView, type Subscribe } from "./ApplyView.js";

/** The width used when a terminal reports none (0 columns: some containers and pseudo-terminals). */
const FALLBACK_COLUMNS = 100;

/** Draws live apply progress at the terminal; resolves when the view has shown the summary. */
export async function renderApplyProgress(subscribe: Subscribe, total: number, stdout: Writable & { columns?: number }): Promise<void> {
  // ink lays text out to the terminal's width, and a width of 0 would put every character on a line of its own.
  const sized = stdout.columns ? stdout : withColumns(stdout, FALLBACK_COLUMNS);
  const instance = render(<ApplyView subscribe={subscribe} total={total} />, {
    stdout: sized as NodeJS.WriteStream,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  await instance.waitUntilExit();
}

function withColumns<T extends object>(stream: T, columns: number): T {
  return new Proxy(stream, {
    get(target, property) {
      if (property === "columns") return columns;
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
