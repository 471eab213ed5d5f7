import { render } from "ink";
import type { Writable } from "node:stream";
import { foldProgress, initialProgress, type ProgressState } from "../../apply/progress.js";
import { terminalWidth } from "../lines.js";
import { ApplyView, type ApplyViewProps, type Subscribe } from "./ApplyView.js";
import { ColorContext } from "./color-context.js";

/** The live apply progress at the terminal: `finished` resolves once the summary is drawn. */
export interface ApplyProgress {
  finished: Promise<void>;
  /** Shows a message above the live lines, on stderr, where the redraws cannot cover it. */
  say(text: string): void;
}

/** Draws live apply progress at the terminal until the executor's `done` event. */
export function renderApplyProgress(
  subscribe: Subscribe,
  total: number,
  stdout: Writable & { columns?: number },
  stderr: Writable,
  color: boolean,
): ApplyProgress {
  // ink lays text out to stdout.columns itself: a terminal that reports 0 is given the same width as the preview.
  const columns = terminalWidth(stdout);
  const sized = stdout.columns ? stdout : withColumns(stdout, columns);
  const listeners = new Set<(text: string) => void>();
  const props: ApplyViewProps = {
    subscribe,
    total,
    columns,
    notices: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const tree = (extra: Partial<ApplyViewProps> = {}) => (
    <ColorContext.Provider value={color}>
      <ApplyView {...props} {...extra} />
    </ColorContext.Provider>
  );
  const instance = render(tree(), {
    stdout: sized as NodeJS.WriteStream,
    stderr: stderr as NodeJS.WriteStream,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  // What is known, kept here too: roster may exit at once (a second Ctrl-C) between two of the view's frames.
  let state: ProgressState = initialProgress(total);
  const unsubscribe = subscribe((event) => (state = foldProgress(state, event, Date.now())));
  let ended = false;
  const finished = instance.waitUntilExit().then(() => {
    ended = true;
    unsubscribe();
  });
  // Exiting before the run is done: the live lines (a bar that would never move again) give way to the
  // summary of what is known, drawn synchronously (ink's legacy mode renders a rerender at once) before ink
  // unmounts on exit and leaves its last frame.
  const onExit = () => {
    if (ended || state.result) return;
    ended = true;
    instance.rerender(tree({ abandoned: state }));
    instance.unmount();
  };
  process.once("exit", onExit);
  void finished.then(() => process.off("exit", onExit));
  return {
    finished,
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
