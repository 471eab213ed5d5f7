import type { Writable } from "node:stream";

/** Which of roster's two output streams. */
export type OutputStream = "stdout" | "stderr";

/** A write to stdout or stderr that failed: which stream, and the system's code (ENOSPC, EPIPE, EIO, ...). */
export interface OutputFailure {
  stream: OutputStream;
  code: string;
}

/**
 * Watches stdout and stderr for writes that fail: a full disk (`> /dev/full`), a reader that went away (a
 * closed pipe), a terminal that was closed. Node reports such a failure as an 'error' event a tick after the
 * write; unwatched, it is thrown as a crash with a stack trace. Here it is recorded instead, so each command
 * decides what it means (apply stops removing) and the exit code tells.
 */
export class OutputWatch {
  readonly #streams: [OutputStream, Writable][] = [];
  readonly #failures = new Map<OutputStream, OutputFailure>();
  readonly #listeners = new Set<(failure: OutputFailure) => void>();
  /**
   * Whether a reader that went away (EPIPE) is an error for the command running: not for a preview
   * (`roster plan | head` took what it wanted), but for apply (its preview must reach the reader before anyone
   * is removed) and for output that is the product (export, the sandbox's URL).
   */
  closedPipeIsError = false;
  /** Set once the command has said on stderr what could not be written, so it is not said twice. */
  reported = false;

  /** Watches `stream` for the rest of the process: one listener a stream, added once (bin.ts). */
  watch(name: OutputStream, stream: Writable): void {
    this.#streams.push([name, stream]);
    stream.on("error", (error: NodeJS.ErrnoException) => this.#fail(name, error));
  }

  /** The first failure of each stream so far, stdout first. */
  failures(): OutputFailure[] {
    return (["stdout", "stderr"] as const).flatMap((name) => this.#failures.get(name) ?? []);
  }

  failed(name: OutputStream): OutputFailure | undefined {
    return this.#failures.get(name);
  }

  /** Calls `listener` at the first failure of each stream; returns the function that stops it. */
  onFailure(listener: (failure: OutputFailure) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Resolves once everything written so far has been written or has failed, with the failures so far: a
   * write's error arrives after the write returns, so a caller about to act on "the preview was shown"
   * waits for this first.
   */
  async settled(): Promise<OutputFailure[]> {
    await Promise.all(
      this.#streams.map(
        ([name, stream]) =>
          new Promise<void>((resolve) => {
            if (stream.destroyed || !stream.writable) return resolve();
            // Writes are delivered in order: the callback of an empty write comes after every earlier one.
            stream.write("", (error) => {
              if (error) this.#fail(name, error);
              resolve();
            });
          }),
      ),
    );
    // A failed write's 'error' event is emitted on a later tick than its callback (or the stream's destruction).
    await new Promise((resolve) => setImmediate(resolve));
    return this.failures();
  }

  /** The failures that count as errors for the command running (see `closedPipeIsError`). */
  errors(): OutputFailure[] {
    return this.failures().filter((failure) => this.closedPipeIsError || failure.code !== "EPIPE");
  }

  #fail(name: OutputStream, error: NodeJS.ErrnoException): void {
    if (this.#failures.has(name)) return;
    const failure = { stream: name, code: error.code ?? error.message };
    this.#failures.set(name, failure);
    for (const listener of [...this.#listeners]) listener(failure);
  }
}

/** The failure in words, for the one stream that may still be written. */
export function describeOutputFailure(failure: OutputFailure): string {
  const why: Record<string, string> = {
    ENOSPC: "no space left on the device",
    EPIPE: "the reader closed the pipe",
    EIO: "the terminal is gone",
    EAGAIN: "the output would block",
    EBADF: "the stream is closed",
    EFBIG: "the file is too large",
  };
  const words = why[failure.code];
  return `cannot write to ${failure.stream} (${failure.code}${words ? `: ${words}` : ""})`;
}
