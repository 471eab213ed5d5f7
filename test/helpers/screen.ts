/**
 * What a terminal `width` columns wide shows after receiving `output`: a small emulator of the codes ink,
 * log-update and readline write (cursor moves, erasing, carriage return, line feed, automatic wrap with
 * xterm's deferred wrap), colours ignored. The scrollback is kept whole, so the result is every line a
 * person can scroll back to: text drawn over by a redraw is gone from it, as it is from the screen.
 */
export function screenLines(output: string, width: number): string[] {
  const rows: string[][] = [[]];
  let row = 0;
  let col = 0;
  let pendingWrap = false;
  const at = (r: number) => (rows[r] ??= []);
  const lineFeed = () => {
    row += 1;
    for (let r = rows.length; r <= row; r++) rows.push([]);
  };
  for (let i = 0; i < output.length; i++) {
    const ch = output[i]!;
    if (ch === "\u001b") {
      const csi = /^\u001b\[([?>=]?)([0-9;]*)([ -/]*)([@-~])/.exec(output.slice(i, i + 32));
      if (csi) {
        i += csi[0].length - 1;
        const n = csi[2] === "" ? 1 : Number(csi[2]!.split(";")[0]);
        const final = csi[4];
        if (csi[1]) continue;
        if (final === "A") row = Math.max(0, row - n);
        else if (final === "B") row += n;
        else if (final === "C") col = Math.min(width - 1, col + n);
        else if (final === "D") col = Math.max(0, col - n);
        else if (final === "G") col = Math.min(width - 1, Math.max(0, n - 1));
        else if (final === "K") {
          const mode = csi[2] === "" ? 0 : Number(csi[2]);
          const line = at(row);
          if (mode === 2) line.length = 0;
          else if (mode === 0) line.length = Math.min(line.length, col);
          else for (let c = 0; c <= col; c++) line[c] = " ";
        } else if (final === "J") {
          const mode = csi[2] === "" ? 0 : Number(csi[2]);
          if (mode === 0) {
            at(row).length = Math.min(at(row).length, col);
            rows.length = row + 1;
          }
        }
        if ("ABCDGH".includes(final!)) pendingWrap = false;
        continue;
      }
      const osc = /^\u001b\][^\u0007\u001b]*(\u0007|\u001b\\)/.exec(output.slice(i, i + 256));
      i += osc ? osc[0].length - 1 : 1;
      continue;
    }
    if (ch === "\r") {
      col = 0;
      pendingWrap = false;
    } else if (ch === "\n") {
      lineFeed();
      pendingWrap = false;
    } else if (ch === "\b") {
      col = Math.max(0, col - 1);
      pendingWrap = false;
    } else if (ch >= " ") {
      if (pendingWrap) {
        lineFeed();
        col = 0;
        pendingWrap = false;
      }
      const line = at(row);
      while (line.length < col) line.push(" ");
      line[col] = ch;
      if (col === width - 1) pendingWrap = true;
      else col += 1;
    }
  }
  return rows.map((line) => line.join("").trimEnd());
}
