import { render } from "ink";
import type { Writable } from "node:stream";
import { ApplyView, type Subscribe } from "./ApplyView.js";

/** Draws live apply progress at the terminal; resolves when the view has shown the summary. */
export async function renderApplyProgress(subscribe: Subscribe, total: number, stdout: Writable): Promise<void> {
  const instance = render(<ApplyView subscribe={subscribe} total={total} />, {
    stdout: stdout as NodeJS.WriteStream,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  await instance.waitUntilExit();
}
