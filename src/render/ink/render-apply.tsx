import { render } from "ink";
import type { Writable } from "node:stream";
import { terminalWidth } from "../lines.js";
import { ApplyView, type Subscribe } from "./ApplyView.js";

/** Draws live apply progress at the terminal; resolves when the view has shown the summary. */
export async function renderApplyProgress(subscribe: Subscribe, total: number, stdout: Writable & { columns?: number }): Promise<void> {
  // ink lays text out to stdout.columns itself: a terminal that reports 0 is given the same width as the preview.
  const sized = stdout.columns ? stdout : withColumns(stdout, terminalWidth(stdout));
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
