import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import type { Manifest } from "./manifest.js";
import { ManifestError } from "./manifest-error.js";
import { readProblem } from "../files/file-error.js";
import { fileKind, READ_NONBLOCK } from "../files/regular-file.js";
import { sha256 } from "../core/digest.js";
import { plainManifest } from "./plain-manifest.js";

/** Manifests larger than this are refused before they are read: no real roster comes near it. */
export const MAX_MANIFEST_BYTES = 10 * 1024 * 1024;

/** A manifest read from a file, with the digest of the file's bytes. */
export type LoadedManifest = Manifest & { sha256: string };

/** Reads, decodes and validates the manifest at `path`; every failure is a positioned ManifestError. */
export async function loadManifest(path: string): Promise<LoadedManifest> {
  const fail = (message: string): never => {
    throw new ManifestError([{ file: path, line: 1, col: 1, message }]);
  };
  let bytes: Buffer;
  try {
    // One open file for the checks and the read, so the file cannot be swapped or grow in between.
    // Without blocking: a FIFO opened plainly waits for a writer forever. Its type is checked next. Read with
    // the synchronous calls: a manifest is small, and a folder of 1,000 of them read through the thread pool
    // cost four round trips each.
    const fd = openSync(path, READ_NONBLOCK);
    try {
      const info = fstatSync(fd);
      // A FIFO or a device (/dev/zero) could be read forever, or swallow what it held.
      if (fileKind(info)) fail("not a file: pass the path of a users.yaml manifest with -f");
      if (info.size > MAX_MANIFEST_BYTES) fail(tooLarge(info.size));
      // One byte more than the file holds: filling it means the file grew while it was read.
      const buffer = Buffer.allocUnsafe(info.size + 1);
      let length = 0;
      for (let read = -1; read !== 0 && length < buffer.length; ) {
        read = readSync(fd, buffer, length, buffer.length - length, length);
        length += read;
        // Reaching the size fstat gave, the read stopped one byte short of what it asked: at the file's end. A
        // further read would only find the end again (one call less, for each file of a folder of 1,000).
        if (length === info.size) break;
      }
      if (length > info.size) fail("the manifest changed while it was being read: run roster again once it is saved");
      bytes = buffer.subarray(0, length);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if (error instanceof ManifestError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EISDIR") return fail("not a file: pass the path of a users.yaml manifest with -f");
    if (code === "ENOENT")
      throw new ManifestError([{ file: path, line: 1, col: 1, missing: true, message: missingManifestText(path) }]);
    return fail(`cannot read the manifest: ${readProblem(code, path)}`);
  }
  const text = decodeManifest(bytes, path);
  // The yaml library is loaded only for a manifest the plain reader leaves to it: most runs never pay for it.
  const manifest = plainManifest(text, path) ?? (await import("./parse-manifest.js")).parseManifestWithYaml(text, path);
  // Added to the manifest just made, not spread into a copy: V8 (Node 20) gives each object spread from another a
  // shape of its own once the place that spreads has made a few, and 1,000 manifests of 1,000 shapes made the
  // planning code that reads them be compiled again and again (docs/performance.md).
  return Object.assign(manifest, { sha256: sha256(bytes) });
}

/** Said of a manifest path where there is no file: how to make one. */
export function missingManifestText(path: string): string {
  return (
    `the file does not exist: create one from the organization with roster export -o ${path}, or pass another ` +
    `manifest with -f FILE`
  );
}

function tooLarge(size: number): string {
  return `the manifest is ${size} bytes, over the limit of ${MAX_MANIFEST_BYTES} bytes (10 MiB)`;
}

// What YAML allows in a stream (its c-printable set): tab, LF, CR, printable ASCII, NEL and the rest of
// Unicode but surrogates, U+FFFE and U+FFFF. Anything else is binary or pasted junk.
const NOT_PRINTABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u0084\u0086-\u009f\ufffe\uffff]/;

// One decoder for every manifest: a call without `stream` starts afresh, whatever the one before it decoded or
// refused. It removes a byte-order mark (ignoreBOM: false).
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const LONE_CR = /\r(?!\n)/;

/**
 * UTF-8 only, with or without a byte-order mark; invalid bytes, characters YAML does not allow and old
 * Mac line endings are errors at their line and column.
 */
export function decodeManifest(bytes: Uint8Array, path: string): string {
  const at = (text: string, offset: number, message: string): never => {
    const before = text.slice(0, Math.max(0, offset));
    const line = before.split("\n").length;
    const col = before.length - before.lastIndexOf("\n");
    throw new ManifestError([{ file: path, line, col, message }]);
  };
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    at("", 0, "the manifest is UTF-16 (it starts with a UTF-16 byte-order mark): save it as UTF-8");
  }
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    const good = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
    return at(good, good.indexOf("\uFFFD"), "the manifest is not valid UTF-8: save it as UTF-8 text");
  }
  const bad = NOT_PRINTABLE.exec(text);
  if (bad) {
    const code = `U+${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
    const hint = bad[0] === "\u0000" ? " (is it UTF-16 or a binary file? save it as UTF-8 text)" : "";
    at(text, bad.index, `the manifest holds ${code}, a control character YAML does not allow${hint}: remove it`);
  }
  // Nearly every manifest has no carriage return at all: the search for a lone one is not needed then.
  const loneCr = text.includes("\r") ? LONE_CR.exec(text) : null;
  if (loneCr)
    at(
      text,
      loneCr.index,
      "a carriage return without a line feed (old Mac line endings): save the file with LF or CRLF line endings",
    );
  return text;
}
