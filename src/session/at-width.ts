import { terminalWidth } from "../render/lines.js";
import { wrapWords } from "../render/wrap-words.js";
import { isInteractive, type Io } from "../terminal/io.js";

/** Text for the terminal wrapped at word boundaries to its width; unchanged for logs and pipes. */
export function atWidth(text: string, io: Io): string {
  return isInteractive(io) ? wrapWords(text, terminalWidth(io.stdout)) : text;
}
