import { startSandbox, type Sandbox, type SandboxOptions } from "../../src/sandbox/sandbox.js";
import { TelnyxClient, type ClientOptions } from "../../src/telnyx/client.js";
import { TEST_API_KEY } from "./cli.js";

/** A sandbox for one test, and clients for it that close with it. */
export interface TestSandbox extends Sandbox {
  /**
   * A client for this sandbox, with the test key unless `options` says otherwise; closed when the test's sandbox is.
   */
  client(options?: Partial<ClientOptions>): TelnyxClient;
}

/**
 * Starts a sandbox with `options`, runs `fn` with it, and always closes it, with every client `fn` made by
 * `sandbox.client`, however `fn` ends: no test leaves a server listening.
 */
export async function withSandbox<T>(
  options: SandboxOptions,
  fn: (sandbox: TestSandbox) => T | Promise<T>,
): Promise<T> {
  const sandbox = await startSandbox(options);
  const clients: TelnyxClient[] = [];
  const client = (clientOptions: Partial<ClientOptions> = {}) => {
    const made = new TelnyxClient({ baseUrl: sandbox.url, apiKey: TEST_API_KEY, ...clientOptions });
    clients.push(made);
    return made;
  };
  try {
    return await fn({ ...sandbox, client });
  } finally {
    for (const made of clients) made.close();
    await sandbox.close();
  }
}
