import { write, type Io } from "../terminal/io.js";
import { startSandbox, SANDBOX_DEFAULT_KEY, type SandboxFaults } from "../sandbox/sandbox.js";
import { readSeed } from "../sandbox/seed.js";
import defaultOrganization from "../../examples/org.json" with { type: "json" };
import type { OrganizationUser } from "../core/organization-user.js";

export interface SandboxCommandOptions {
  state?: string;
  port: number;
  latencyMs: number;
  jitterMs?: number;
  /** Injected faults and the rate limit. */
  faults?: SandboxFaults;
}

/** Runs the local simulator of the API until interrupted; prints its base URL first, on stdout. */
export async function sandboxCommand(options: SandboxCommandOptions, io: Io): Promise<number> {
  const users = options.state ? await readSeed(options.state) : (defaultOrganization as OrganizationUser[]);
  const apiKey = io.env.TELNYX_API_KEY || SANDBOX_DEFAULT_KEY;
  const sandbox = await startSandbox({
    users,
    apiKey,
    port: options.port,
    latencyMs: options.latencyMs,
    ...(options.jitterMs ? { jitterMs: options.jitterMs } : {}),
    ...(options.faults ? { faults: options.faults } : {}),
  });
  write(io.stdout, `${sandbox.url}\n`, io.env);
  // The URL is what the sandbox is for: when it cannot be written (a full disk, a reader gone), stop.
  if (io.output) io.output.closedPipeIsError = true;
  if (io.output && (await io.output.settled()).length > 0) {
    await sandbox.close();
    return 1;
  }
  // Listening for Ctrl-C and SIGTERM before saying how to stop, so a stop that follows the message at once
  // still closes the sandbox and exits 0.
  const stopped = new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  const keyHint = io.env.TELNYX_API_KEY ? "the key in TELNYX_API_KEY" : `the key "${SANDBOX_DEFAULT_KEY}"`;
  write(
    io.stderr,
    `roster sandbox: ${users.length} users from ${options.state ?? "the bundled examples/org.json"}, accepting ${keyHint}.\n` +
      `  export TELNYX_BASE_URL=${sandbox.url}\n` +
      faultsLine(options.faults) +
      `Press Ctrl-C to stop.\n`,
    io.env,
  );
  await stopped;
  await sandbox.close();
  return 0;
}

function faultsLine(faults: SandboxFaults | undefined): string {
  if (!faults) return "";
  const parts = (["errorRate", "throttleRate", "resetRate", "hangRate", "ghostRate"] as const)
    .filter((key) => (faults[key] ?? 0) > 0)
    .map((key) => `${key.replace(/Rate$/, "")} ${(faults[key]! * 100).toFixed(1)}%`);
  if (faults.rateLimit !== undefined) parts.push(`rate limit ${faults.rateLimit} per ${faults.rateWindowMs ?? 1000} ms${faults.rateModel && faults.rateModel !== "window" ? ` (${faults.rateModel})` : ""}`);
  return parts.length > 0 ? `  faults (seed ${faults.seed ?? 0}): ${parts.join(", ")}\n` : "";
}
