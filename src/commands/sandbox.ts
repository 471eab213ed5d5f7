import { write, type Io } from "../terminal/io.js";
import { startSandbox, SANDBOX_DEFAULT_KEY, type SandboxFaults } from "../sandbox/sandbox.js";
import { readSandboxState, type SandboxState } from "../sandbox/seed.js";
import { generateManagedAccounts } from "../sandbox/generate.js";
import defaultOrganization from "../../examples/org.json" with { type: "json" };
import type { OrganizationUser } from "../core/organization-user.js";

export interface SandboxCommandOptions {
  state?: string;
  /** Generate this many managed accounts (from `seed`), after those of the state file. */
  managedAccounts?: number;
  /** The seed of the generated managed accounts. */
  seed?: number;
  port: number;
  latencyMs: number;
  jitterMs?: number;
  /** Injected faults and the rate limit. */
  faults?: SandboxFaults;
}

/** Runs the local simulator of the API until interrupted; prints its base URL first, on stdout. */
export async function sandboxCommand(options: SandboxCommandOptions, io: Io): Promise<number> {
  const state: SandboxState = options.state
    ? await readSandboxState(options.state)
    : { users: defaultOrganization as OrganizationUser[], managedAccounts: [] };
  const { users } = state;
  const apiKey = io.env.TELNYX_API_KEY || SANDBOX_DEFAULT_KEY;
  const managedAccounts = [
    ...state.managedAccounts,
    ...generateManagedAccounts(options.managedAccounts ?? 0, options.seed ?? 1),
  ];
  const clash = state.managedAccounts.findIndex((account) => account.api_key === apiKey);
  // Said without the key, as every message about keys is.
  if (clash >= 0)
    throw new Error(
      `${options.state}: managed account ${clash + 1} has the manager's own key as its "api_key": give it a key of ` +
        `its own`,
    );
  const sandbox = await startSandbox({
    users,
    apiKey,
    ...(managedAccounts.length > 0 ? { managedAccounts } : {}),
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
  // still closes the sandbox and exits 0. Whichever comes first, both listeners go.
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  const keyHint = io.env.TELNYX_API_KEY ? "the key in TELNYX_API_KEY" : `the key "${SANDBOX_DEFAULT_KEY}"`;
  write(
    io.stderr,
    `roster sandbox: ${users.length} users from ${options.state ?? "the bundled examples/org.json"}, accepting ` +
      `${keyHint}.\n` +
      accountsLine(managedAccounts, keyHint) +
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
  if (faults.rateLimit !== undefined)
    parts.push(
      `rate limit ${faults.rateLimit} per ${faults.rateWindowMs ?? 1000} ` +
        `ms${faults.rateModel && faults.rateModel !== "window" ? ` (${faults.rateModel})` : ""}`,
    );
  return parts.length > 0 ? `  faults (seed ${faults.seed ?? 0}): ${parts.join(", ")}\n` : "";
}

/** The managed accounts in one line: how many, their users, and how their keys are had (never the keys). */
function accountsLine(accounts: SandboxState["managedAccounts"], keyHint: string): string {
  if (accounts.length === 0) return "";
  const users = accounts.reduce((sum, account) => sum + account.users.length, 0);
  const inactive = (["disabled", "cancelled"] as const)
    .map((status) => [status, accounts.filter((a) => a.status === status).length] as const)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `, ${count} ${status}`)
    .join("");
  return (
    `  ${accounts.length} managed account${accounts.length === 1 ? "" : "s"} (${users} users${inactive}): ` +
    `GET /managed_accounts with ${keyHint} lists them, GET /managed_accounts/{id} gives each one's own key.\n`
  );
}
