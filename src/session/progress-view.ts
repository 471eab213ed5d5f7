import type { EventHub } from "../apply/event-hub.js";
import { colorWanted } from "../render/color.js";
import { isInteractive, redact, write, type Io } from "../terminal/io.js";
import { atWidth } from "./at-width.js";

/** The live progress: the ink view at a terminal, a plain log otherwise; `say` shows a message beside it. */
export interface ProgressView {
  finished: Promise<void>;
  say(text: string): void;
}

/** Progress as removals finish: the ink view at a terminal; in logs a line per removal, or per tenth of a large run. */
export async function startProgressView(hub: EventHub, total: number, io: Io): Promise<ProgressView> {
  write(io.stdout, "\n", io.env);
  const say = (text: string) => write(io.stderr, text, io.env);
  if (isInteractive(io)) {
    const { renderApplyProgress } = await import("../render/ink/render-apply.js");
    const view = renderApplyProgress(hub.subscribe, total, io.stdout, io.stderr, colorWanted(io.env));
    return { finished: view.finished, say: (text) => view.say(atWidth(redact(text, io.env), io)) };
  }
  const { logApplyProgress } = await import("../render/progress-log.js");
  return { finished: logApplyProgress(hub.subscribe, total, (text) => write(io.stdout, text, io.env)), say };
}
