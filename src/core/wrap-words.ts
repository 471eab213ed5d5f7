/**
 * Wraps plain text to `width` columns at spaces, as a terminal does not: a terminal cuts a line where it
 * runs out of room, mid-word. Each line keeps its indentation on its continuation lines; a word longer than
 * the line (an email, a URL) is left whole for the terminal to cut, never split by roster. Newlines are kept.
 */
export function wrapWords(text: string, width: number): string {
  return text
    .split("\n")
    .map((paragraph) => wrapLine(paragraph, width))
    .join("\n");
}

function wrapLine(text: string, width: number): string {
  if (text.length <= width) return text;
  const indent = /^ */.exec(text)![0];
  const words = text.slice(indent.length).split(/ +/);
  const lines: string[] = [];
  let current = indent;
  for (const word of words) {
    if (current.trim() === "") current += word;
    else if (current.length + 1 + word.length <= width) current += ` ${word}`;
    else {
      lines.push(current);
      current = indent.length + word.length <= width ? indent + word : word;
    }
  }
  lines.push(current);
  return lines.join("\n");
}
