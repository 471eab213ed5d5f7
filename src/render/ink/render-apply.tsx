import { render } from "ink";
import type { Writable } from "node:stream";
import { terminalWidth } from "../lines.js";
import { ApplyView, type Subscribe } from "./ApplyView.js";
import { ColorContext } from "./color-context.js";

/** The live apply progress at the terminal: `finished` resolves once the summary is drawn. */
export interface ApplyProgress {
  finished: Promise<void>;
  /** Shows a message above the live lines, on stderr, where the redraws cannot cover it. */
  say(text: string): void;
}

/** Draws live apply progress at the terminal until the executor's `done` event. */
export function renderApplyProgress(subscribe: Subscribe, total: number, stdout: Writable & { columns?: number }, stderr: Writable, color: boolean): ApplyProgress {
  // ink lays text out to stdout.columns itself: a terminal that reports 0 is given the same width as the preview.
  const columns = terminalWidth(stdout);
  const sized = stdout.columns ? stdout : withColumns(stdout, columns);
  const listeners = new Set<(text: string) => void>();
  const instance = render(
    <ColorContext.Provider value={color}>
      <ApplyView
        subscribe={subscribe}
        total={total}
        columns={columns}
        notices={(listener) => {
          listeners.add(listener);
          return () => listeners.delete(listener);
        }}
      />
    </ColorContext.Provider>,
    { stdout: sized as NodeJS.WriteStream, stderr: stderr as NodeJS.WriteStream, exitOnCtrlC: false, patchConsole: false },
  );
  return {
    finished: instance.waitUntilExit().then(() => undefined),
    say(text) {
      // Before the view subscribed, or after it ended, there are no live lines to draw over.
      if (listeners.size === 0) stderr.write(text);
      for (const listener of listeners) listener(text);
    },
  };
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
