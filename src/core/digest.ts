import { createHash } from "node:crypto";

/** "sha256:" and the hex digest of some text or bytes: how roster names the content of a file. */
export function sha256(data: string | Uint8Array): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}
