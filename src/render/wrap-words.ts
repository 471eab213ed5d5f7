// Wrapping at words is needed by the terminal's messages too (src/terminal, which builds on core alone).
export { wrapWords } from "../core/wrap-words.js";
