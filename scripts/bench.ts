// npm run bench: roster against the sandbox with added latency, each ratio measured side by side in one run
// (these machines are noisy), medians of BENCH_REPS runs (default 3). Prints a Markdown table.
// The sandbox runs in a child process so that its work does not share the client's event loop.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import { applyPlan } from "../src/apply/apply-plan.js";
import { parseManifest, parseManifestWithYaml } from "../src/manifest/parse-manifest.js";
import { checkGuards } from "../src/plan/guards.js";
import { planRemovals } from "../src/plan/plan.js";
import { rulesOf } from "../src/plan/rules.js";
import { linesToText } from "../src/render/lines.js";
import { planJson } from "../src/render/plan-json.js";
import { planLines } from "../src/render/plan-lines.js";
import { TelnyxClient } from "../src/telnyx/client.js";
import type { OrganizationUser } from "../src/core/organization-user.js";
import { readOrganization } from "../src/telnyx/read-organization.js";
import { generateManagedAccounts } from "../src/sandbox/generate.js";
import { makeOrg } from "../test/helpers/org.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ROSTER = join(ROOT, "dist/roster.js");
const KEY = "bench-key";
const REPS = Number(process.env.BENCH_REPS ?? 3);
const ONLY = process.env.BENCH_ONLY?.split(",");
const work = mkdtempSync(join(tmpdir(), "roster-bench-"));
// The seeds and manifests written for the runs go when the bench ends, however it ends.
const removeWork = () => rmSync(work, { recursive: true, force: true, maxRetries: 3 });
process.on("exit", removeWork);
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => {
    removeWork();
    process.kill(process.pid, signal);
  });
const rows: string[][] = [];

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 0)} ms`;
const row = (...cells: string[]) => {
  rows.push(cells);
  process.stderr.write(`  ${cells.join(" | ")}\n`);
};

function manifestOf(emails: readonly string[]): string {
  return `version: 1\nusers:\n${emails.map((e) => `  - ${e}\n`).join("")}`;
}

/**
 * Starts `roster sandbox` in a child process, seeded with `users` (or a state with managed accounts), answering after
 * `latencyMs`.
 */
async function childSandbox(
  users: OrganizationUser[] | { users: OrganizationUser[]; managed_accounts: unknown[] },
  latencyMs: number,
  extra: string[] = [],
): Promise<{ url: string; stop: () => Promise<void> }> {
  const state = join(
    work,
    Array.isArray(users) ? `org-${users.length}.json` : `accounts-${users.managed_accounts.length}.json`,
  );
  writeFileSync(state, JSON.stringify(users));
  const child: ChildProcess = spawn(
    process.execPath,
    [ROSTER, "sandbox", "--state", state, "--latency", String(latencyMs), ...extra],
    {
      env: { PATH: process.env.PATH, TELNYX_API_KEY: KEY },
      stdio: ["ignore", "pipe", "ignore"],
    },
  );
  const [url] = (await once(createInterface({ input: child.stdout! }), "line")) as [string];
  return {
    url,
    stop: async () => {
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}

const client = (url: string, concurrency: number) =>
  new TelnyxClient({ baseUrl: url, apiKey: KEY, maxSockets: concurrency });

/** Target 1: the apply phase against N·L/c, growing with N, and a sequential loop beside it. */
async function benchRemovals() {
  const latency = 25;
  const concurrency = 16;
  process.stderr.write(`removals (L = ${latency} ms, c = ${concurrency})\n`);
  for (const n of [500, 1000, 2000]) {
    const roster: number[] = [];
    const sequential: number[] = [];
    for (let rep = 0; rep < REPS; rep += 1) {
      const org = makeOrg(n + 1);
      const manifest = parseManifest(manifestOf(["owner@example.com"]), "users.yaml");
      for (const mode of n === 2000 ? ["roster", "sequential"] : ["roster"]) {
        const sandbox = await childSandbox(org, latency);
        const api = client(sandbox.url, concurrency);
        const plan = planRemovals(manifest, await readOrganization(api, { concurrency }));
        const start = performance.now();
        if (mode === "roster") {
          const result = await applyPlan(plan, rulesOf(manifest), api, { concurrency });
          if (result.summary.removed !== n)
            throw new Error(`expected ${n} removals, got ${JSON.stringify(result.summary)}`);
          roster.push(performance.now() - start);
        } else {
          // What a script over the official SDK does: one removal after another.
          for (const removal of plan.removals) await api.removeUser(removal.id);
          sequential.push(performance.now() - start);
        }
        api.close();
        await sandbox.stop();
      }
    }
    const bound = (n * latency) / concurrency;
    row(
      `apply ${n} removals, c=${concurrency}`,
      ms(median(roster)),
      `bound N·L/c = ${ms(bound)}`,
      `${((median(roster) / bound - 1) * 100).toFixed(1)}% over the bound`,
    );
    if (sequential.length > 0) {
      row(
        `sequential loop, ${n} removals`,
        ms(median(sequential)),
        `N·L = ${ms(n * latency)}`,
        `roster ${(median(sequential) / median(roster)).toFixed(1)}x faster`,
      );
    }
  }
}

/** Target 2: reading 10,000 and 100,000 users, pages concurrently vs one after another. */
async function benchRead() {
  const latency = 25;
  process.stderr.write(`reading the organization (L = ${latency} ms)\n`);
  for (const n of [10_000, 100_000]) {
    const org = makeOrg(n);
    const sandbox = await childSandbox(org, latency);
    const concurrent: number[] = [];
    const sequential: number[] = [];
    const report: number[] = [];
    for (let rep = 0; rep < REPS; rep += 1) {
      const api = client(sandbox.url, 8);
      let start = performance.now();
      const users = await readOrganization(api, { concurrency: 8, source: "pages" });
      concurrent.push(performance.now() - start);
      if (users.length !== n) throw new Error(`read ${users.length} of ${n}`);
      start = performance.now();
      const reported = await readOrganization(api, { concurrency: 8, source: "report" });
      report.push(performance.now() - start);
      if (reported.length !== n) throw new Error(`the report gave ${reported.length} of ${n}`);
      start = performance.now();
      const first = await api.listUsersPage(1);
      for (let page = 2; page <= first.totalPages; page += 1) await api.listUsersPage(page);
      sequential.push(performance.now() - start);
      api.close();
    }
    await sandbox.stop();
    row(
      `read ${n} users, pages concurrently (c=8)`,
      ms(median(concurrent)),
      `sequential paging ${ms(median(sequential))}`,
      `${(median(sequential) / median(concurrent)).toFixed(1)}x faster`,
    );
    row(
      `read ${n} users, groups report (roster's default)`,
      ms(median(report)),
      `pages concurrently ${ms(median(concurrent))}`,
      `${(median(concurrent) / median(report)).toFixed(1)}x faster`,
    );
  }
}

/** Target 3: planning 100,000 live users against a 90,000-user manifest. */
async function benchPlan() {
  process.stderr.write("planning at scale\n");
  const org = makeOrg(100_000);
  const text = manifestOf(org.slice(0, 90_000).map((u) => u.email));
  const yamlTimes: number[] = [];
  const loadTimes: number[] = [];
  const fullTimes: number[] = [];
  for (let rep = 0; rep < Math.max(REPS, 3); rep += 1) {
    let start = performance.now();
    YAML.parse(text);
    yamlTimes.push(performance.now() - start);
    start = performance.now();
    parseManifest(text, "users.yaml");
    loadTimes.push(performance.now() - start);
    start = performance.now();
    parseManifestWithYaml(text, "users.yaml");
    fullTimes.push(performance.now() - start);
  }
  const floor = median(yamlTimes);
  row(
    "load a 90,000-user manifest (plain form: the line reader)",
    ms(median(loadTimes)),
    `YAML.parse alone ${ms(floor)}`,
    `${(median(loadTimes) / floor).toFixed(2)}x the floor`,
  );
  row(
    "load the same through the yaml library (any other form)",
    ms(median(fullTimes)),
    `YAML.parse alone ${ms(floor)}`,
    `${(median(fullTimes) / floor).toFixed(2)}x the floor`,
  );

  const manifest = parseManifest(text, "users.yaml");
  const cpu: number[] = [];
  for (let rep = 0; rep < Math.max(REPS, 3); rep += 1) {
    const before = process.cpuUsage();
    const plan = planRemovals(manifest, org);
    const verdict = checkGuards(plan, { ...manifest.guards, force: true });
    JSON.stringify(planJson(plan, verdict));
    const used = process.cpuUsage(before);
    cpu.push((used.user + used.system) / 1000);
  }
  row("plan 100,000 live vs 90,000 listed (match, guards, JSON)", `${ms(median(cpu))} CPU`, "target < 300 ms", "");

  const file = join(work, "users-90k.yaml");
  writeFileSync(file, text);
  const sandbox = await childSandbox(org, 0);
  const peaks: number[] = [];
  for (let rep = 0; rep < REPS; rep += 1) {
    const child = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `process.on("exit", () => process.stderr.write("maxrss " + process.resourceUsage().maxRSS + "\\n")); process.argv.splice(1, 0, ${JSON.stringify(ROSTER)}); await import(${JSON.stringify(ROSTER)});`,
        "plan",
        "-f",
        file,
        "--format",
        "json",
        "--force",
      ],
      {
        env: { PATH: process.env.PATH, TELNYX_API_KEY: KEY, TELNYX_BASE_URL: sandbox.url, CI: "true" },
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    await once(child, "exit");
    const kb = Number(/maxrss (\d+)/.exec(stderr)?.[1]);
    if (!kb) throw new Error(`no peak memory reported: ${stderr}`);
    peaks.push(kb / 1024);
  }
  await sandbox.stop();
  row("whole `roster plan --format json`, 100,000 users", `${median(peaks).toFixed(0)} MB peak`, "target < 400 MB", "");
}

/** Target 4: showing a plan of 20,000 removals. */
async function benchRender() {
  process.stderr.write("rendering a large plan\n");
  const org = makeOrg(20_001);
  const plan = planRemovals(parseManifest(manifestOf(["owner@example.com"]), "users.yaml"), org);
  const verdict = checkGuards(plan, { force: true });
  const { renderPlanToString } = await import("../src/render/ink/render-plan.js");
  const text: number[] = [];
  const preview: number[] = [];
  for (let rep = 0; rep < Math.max(REPS, 3); rep += 1) {
    let start = performance.now();
    linesToText(planLines(plan, { verdict }));
    text.push(performance.now() - start);
    start = performance.now();
    renderPlanToString(plan, { verdict }, 120);
    preview.push(performance.now() - start);
  }
  row("plain-text plan, 20,000 removals (every row)", ms(median(text)), "target well under 1 s", "");
  const source = { manifest: "users.yaml", host: "api.telnyx.com" };
  const { planMarkdown } = await import("../src/render/plan-markdown.js");
  const { planDiff } = await import("../src/render/plan-diff.js");
  const markdown: number[] = [];
  const diff: number[] = [];
  for (let rep = 0; rep < Math.max(REPS, 3); rep += 1) {
    let start = performance.now();
    planMarkdown(plan, verdict, source);
    markdown.push(performance.now() - start);
    start = performance.now();
    planDiff(plan, source);
    diff.push(performance.now() - start);
  }
  row("Markdown plan, 20,000 removals (cut to 65,536 chars)", ms(median(markdown)), "target well under 1 s", "");
  row("unified diff, 20,000 removals", ms(median(diff)), "target well under 1 s", "");
  row(
    "terminal preview, 20,000 removals (every row, wrapped, coloured)",
    ms(median(preview)),
    "target well under 1 s",
    "",
  );
}

/** Target 5: start-up against `node -e 0`, runs interleaved so that noise hits all alike. */
async function benchStartup() {
  process.stderr.write("start-up\n");
  const file = join(work, "users-1000.yaml");
  writeFileSync(
    file,
    manifestOf(
      makeOrg(1001)
        .slice(1)
        .map((u) => u.email),
    ),
  );
  const commands: Record<string, string[]> = {
    "node -e 0": ["-e", "0"],
    "roster --help": [ROSTER, "--help"],
    "roster validate (1,000 users)": [ROSTER, "validate", "-f", file],
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  const runs = Math.max(REPS * 5, 15);
  for (let i = 0; i < runs + 2; i += 1) {
    for (const [name, args] of Object.entries(commands)) {
      const start = performance.now();
      const child = spawn(process.execPath, args, { stdio: "ignore" });
      const [code] = await once(child, "exit");
      if (code !== 0) throw new Error(`${name} exited ${code}`);
      if (i >= 2) times[name]!.push(performance.now() - start);
    }
  }
  const base = median(times["node -e 0"]!);
  for (const [name, values] of Object.entries(times)) {
    row(
      name,
      ms(median(values)),
      name === "node -e 0" ? "the floor" : `${(median(values) / base).toFixed(2)}x node -e 0`,
      "target < 2x",
    );
  }
}

/** Target 6: under a rate limit of R requests a second, an apply of N removals against N/R. */
async function benchRateLimit() {
  for (const quiet of [false, true]) await rateLimited(quiet);
}

async function rateLimited(quiet: boolean) {
  const n = 600;
  const rate = 100;
  const concurrency = 16;
  process.stderr.write(
    `rate limit (R = ${rate}/s, N = ${n}, c = ${concurrency}, L = 25 ms${quiet ? ", headers only on 429" : ""})\n`,
  );
  const times: number[] = [];
  const throttled: number[] = [];
  for (let rep = 0; rep < REPS; rep += 1) {
    const org = makeOrg(n + 1);
    const manifest = parseManifest(manifestOf(["owner@example.com"]), "users.yaml");
    const sandbox = await childSandbox(org, 25, [
      "--rate-limit",
      String(rate),
      "--rate-window",
      "1000",
      ...(quiet ? ["--quiet-rate-limit"] : []),
    ]);
    const api = client(sandbox.url, concurrency);
    const plan = planRemovals(manifest, await readOrganization(api, { concurrency }));
    // The read used one request of the first window; wait for a fresh one so every run starts alike.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    let limited = 0;
    const counting = new TelnyxClient({
      baseUrl: sandbox.url,
      apiKey: KEY,
      maxSockets: concurrency,
      onRetry: (e) => e.reason.startsWith("429") && (limited += 1),
    });
    const start = performance.now();
    const result = await applyPlan(plan, rulesOf(manifest), counting, { concurrency });
    times.push(performance.now() - start);
    throttled.push(limited);
    if (result.summary.removed !== n) throw new Error(`expected ${n} removals, got ${JSON.stringify(result.summary)}`);
    api.close();
    counting.close();
    await sandbox.stop();
  }
  const bound = (n / rate) * 1000;
  row(
    `apply ${n} removals under ${rate} requests/s${quiet ? " (limit told only by 429s)" : " (x-ratelimit headers)"}`,
    ms(median(times)),
    `N/R = ${ms(bound)}`,
    `${((median(times) / bound - 1) * 100).toFixed(1)}% over; ${median(throttled)} 429s`,
  );
}

/**
 * Target 7: under each kind of limiter the API may have (roster cannot tell which from the headers), an apply
 * of 299 removals at --concurrency 16 under 40 requests a second, against the ideal (N - R)/R + 0.5 s: the
 * first window's R at once, then R a second, and half a second of slack. The share of requests answered 429
 * beside it.
 */
async function benchRateModels() {
  const n = 299;
  const rate = 40;
  const concurrency = 16;
  const ideal = ((n - rate) / rate) * 1000 + 500;
  for (const model of ["window", "grid", "bucket"]) {
    process.stderr.write(`rate model ${model} (R = ${rate}/s, N = ${n}, c = ${concurrency}, L = 25 ms)\n`);
    const times: number[] = [];
    const shares: number[] = [];
    for (let rep = 0; rep < REPS; rep += 1) {
      const org = makeOrg(n + 1);
      const manifest = parseManifest(manifestOf(["owner@example.com"]), "users.yaml");
      const sandbox = await childSandbox(org, 25, [
        "--rate-limit",
        String(rate),
        "--rate-window",
        "1000",
        "--rate-model",
        model,
      ]);
      let limited = 0;
      const api = new TelnyxClient({
        baseUrl: sandbox.url,
        apiKey: KEY,
        maxSockets: concurrency,
        onRetry: (e) => e.reason.startsWith("429") && (limited += 1),
      });
      const plan = planRemovals(manifest, await readOrganization(api, { concurrency }));
      // The read used a request of the first window; start every run on a fresh one, as a run usually does.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      limited = 0;
      const start = performance.now();
      const result = await applyPlan(plan, rulesOf(manifest), api, { concurrency });
      times.push(performance.now() - start);
      if (result.summary.removed !== n)
        throw new Error(`expected ${n} removals, got ${JSON.stringify(result.summary)}`);
      // No other fault: every request beyond the n removals is the retry of a 429.
      shares.push(limited / (n + limited));
      api.close();
      await sandbox.stop();
    }
    row(
      `apply ${n} removals under ${rate} requests/s, ${model === "window" ? "windows starting with a request" : model === "grid" ? "fixed windows on the clock" : "a token bucket"} (--rate-model ${model})`,
      ms(median(times)),
      `(N-R)/R + 0.5 s = ${ms(ideal)}`,
      `${(median(times) / ideal).toFixed(2)}x; ${(median(shares) * 100).toFixed(1)}% 429s`,
    );
  }
}

/**
 * Issue 10's scale target, the executor's half: 200 managed accounts of 50 users each, 10% of them to remove,
 * at 25 ms latency, applied across all accounts at roster's default --concurrency, against the bound
 * removals·L/c. Each run is a process of its own (scripts/bench-accounts.ts), which reads each account's users
 * with that account's key first (not timed), so that its peak memory is the apply's alone.
 */
async function benchAccounts() {
  const latency = 25;
  const concurrency = 8;
  const count = 200;
  const size = 50;
  const keep = 45;
  process.stderr.write(
    `accounts (${count} managed accounts of ${size} users, ${size - keep} to remove in each, L = ${latency} ms, c = ${concurrency})\n`,
  );
  const times: number[] = [];
  const peaks: number[] = [];
  const single: number[] = [];
  const state = { users: makeOrg(3), managed_accounts: generateManagedAccounts(count, 1, size) };
  const removals = count * (size - keep);
  for (let rep = 0; rep < REPS; rep += 1) {
    // Side by side: the same number of removals in one organization, as applyPlan alone does them.
    const org = makeOrg(removals + 1);
    const alone = await childSandbox(org, latency);
    const api = client(alone.url, concurrency);
    const manifest = parseManifest(manifestOf(["owner@example.com"]), "users.yaml");
    const plan = planRemovals(manifest, await readOrganization(api, { concurrency }));
    const begin = performance.now();
    const one = await applyPlan(plan, rulesOf(manifest), api, { concurrency });
    single.push(performance.now() - begin);
    if (one.summary.removed !== removals)
      throw new Error(`expected ${removals} removals, got ${JSON.stringify(one.summary)}`);
    api.close();
    await alone.stop();

    const sandbox = await childSandbox(state, latency);
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(ROOT, "scripts/bench-accounts.ts"), sandbox.url, String(concurrency), String(keep)],
      {
        env: { PATH: process.env.PATH, TELNYX_API_KEY: KEY },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let stdout = "";
    child.stdout!.on("data", (d) => (stdout += d));
    const [code] = (await once(child, "exit")) as [number | null];
    await sandbox.stop();
    if (code !== 0) throw new Error(`scripts/bench-accounts.ts exited with ${code}`);
    const measured = JSON.parse(stdout) as { ms: number; removals: number; maxRssMb: number };
    if (measured.removals !== removals) throw new Error(`planned ${measured.removals} removals, expected ${removals}`);
    times.push(measured.ms);
    peaks.push(measured.maxRssMb);
  }
  const bound = (removals * latency) / concurrency;
  row(
    `apply across ${count} accounts of ${size} users, ${removals} removals, c=${concurrency}`,
    ms(median(times)),
    `bound removals·L/c = ${ms(bound)}; one organization's ${removals}: ${ms(median(single))}`,
    `${(median(times) / bound).toFixed(2)}x the bound (target 1.3x); peak RSS ${median(peaks).toFixed(0)} MB (target < 300 MB)`,
  );
}

/** What one run of the roster CLI took: wall time from spawn to exit, its peak RSS, its stdout. */
interface CliRun {
  ms: number;
  maxRssMb: number;
  stdout: string;
}

const GNU_TIME = "/usr/bin/time";

/**
 * Runs `node dist/roster.js ARGS` as a user does (CI=true, the key in TELNYX_API_KEY) and measures it from
 * spawn to exit. The peak RSS comes from GNU time when the machine has it (written to a file of its own, so
 * roster's stderr stays roster's), else from a wrapper that reports process.resourceUsage() at exit.
 */
async function runRoster(args: string[], url: string, label: string): Promise<CliRun> {
  return runScript(ROSTER, args, url, label);
}

/** Runs `node SCRIPT ARGS` against `url` as runRoster does: spawn to exit, and the peak RSS. */
async function runScript(script: string, args: string[], url: string, label: string): Promise<CliRun> {
  const rssFile = join(work, `rss-${process.hrtime.bigint()}`);
  const withTime = existsSync(GNU_TIME);
  const [command, argv] = withTime
    ? [GNU_TIME, ["-f", "%M", "-o", rssFile, process.execPath, script, ...args]]
    : [
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `import { writeFileSync } from "node:fs"; process.on("exit", () => writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS))); process.argv.splice(1, 0, ${JSON.stringify(script)}); await import(${JSON.stringify(script)});`,
          ...args,
        ],
      ];
  // Its output goes to a file, as `> plan.json` sends it: read through a pipe, the bench's own reading of tens of
  // megabytes would share the 2 cores with the process it times.
  const outFile = join(work, `out-${process.hrtime.bigint()}`);
  const out = openSync(outFile, "w");
  const start = performance.now();
  const child = spawn(command, argv, {
    env: { PATH: process.env.PATH, TELNYX_API_KEY: KEY, TELNYX_BASE_URL: url, CI: "true" },
    stdio: ["ignore", out, "pipe"],
  });
  closeSync(out);
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const [code] = (await once(child, "exit")) as [number | null];
  const ms = performance.now() - start;
  const stdout = readFileSync(outFile, "utf8");
  rmSync(outFile, { force: true });
  if (code !== 0) throw new Error(`${label} exited with ${code}: ${stderr.slice(0, 2000)}`);
  const kb = Number(/(\d+)\s*$/.exec(readFileSync(rssFile, "utf8"))?.[1]);
  rmSync(rssFile, { force: true });
  if (!kb) throw new Error(`${label}: no peak memory reported`);
  return { ms, maxRssMb: kb / 1024, stdout };
}

/**
 * Issue 10's scale target as a user meets it: `roster plan -f DIR --format json` and `roster apply -f DIR
 * --yes` run as processes of dist/roster.js against a sandbox of 200 managed accounts of 50 users each, one
 * manifest per account (`account: { id }`, 45 of its 50 users listed, the owner always) in a temporary folder.
 * Each time is compared with its bound: the requests the command must make, times the latency, over the
 * concurrency. plan: 1 list page, one GET per account (its key), one groups report per account. apply adds
 * one removal per unlisted user and, with verification, one groups report per account again.
 */
async function benchAccountsCli() {
  const latency = 25;
  const count = 200;
  const size = 50;
  const keep = 45;
  const managed = generateManagedAccounts(count, 1, size);
  const state = { users: makeOrg(3), managed_accounts: managed };
  const removals = count * (size - keep);
  const folder = mkdtempSync(join(work, "accounts-"));
  for (const account of managed) {
    const emails = account.users.slice(0, keep).map((u) => u.email);
    writeFileSync(
      join(folder, `${account.id}.yaml`),
      `version: 1\naccount:\n  id: ${account.id}\nusers:\n${emails.map((e) => `  - ${e}\n`).join("")}`,
    );
  }
  const listPages = Math.ceil(count / 250);
  const planRequests = listPages + count + count;
  try {
    for (const concurrency of [8, 32]) {
      process.stderr.write(
        `accounts, the CLI (${count} managed accounts of ${size} users, ${size - keep} to remove in each, L = ${latency} ms, c = ${concurrency})\n`,
      );
      const c = ["--concurrency", String(concurrency)];
      const plans: CliRun[] = [];
      const sandbox = await childSandbox(state, latency);
      for (let rep = 0; rep < REPS; rep += 1) {
        const run = await runRoster(["plan", "-f", folder, "--format", "json", ...c], sandbox.url, "roster plan");
        const planned = (JSON.parse(run.stdout) as { summary: { remove: number } }).summary.remove;
        if (planned !== removals) throw new Error(`roster plan planned ${planned} removals, expected ${removals}`);
        plans.push(run);
      }
      await sandbox.stop();
      const applies: Record<string, CliRun[]> = { "--no-verify": [], verify: [] };
      for (let rep = 0; rep < REPS; rep += 1) {
        for (const mode of Object.keys(applies)) {
          // A fresh sandbox for every apply: the one before removed the users.
          const fresh = await childSandbox(state, latency);
          const run = await runRoster(
            ["apply", "-f", folder, "--yes", "--format", "json", ...c, ...(mode === "verify" ? [] : ["--no-verify"])],
            fresh.url,
            "roster apply",
          );
          await fresh.stop();
          const result = JSON.parse(run.stdout) as { summary: { removed: number }; verified?: { converged: boolean } };
          if (result.summary.removed !== removals)
            throw new Error(`roster apply removed ${result.summary.removed}, expected ${removals}`);
          if (mode === "verify" && !result.verified?.converged)
            throw new Error(`roster apply did not verify: ${JSON.stringify(result.verified)}`);
          applies[mode]!.push(run);
        }
      }
      const figures = (runs: CliRun[], requests: number, formula: string, label: string) => {
        const bound = (requests * latency) / concurrency;
        const time = median(runs.map((r) => r.ms));
        row(
          label,
          ms(time),
          `bound ${formula} = ${requests}·L/c = ${ms(bound)}`,
          `${(time / bound).toFixed(2)}x the bound (target 1.3x); peak RSS ${median(runs.map((r) => r.maxRssMb)).toFixed(0)} MB (target < 300 MB)`,
        );
      };
      const across = `across ${count} accounts of ${size} users`;
      figures(
        plans,
        planRequests,
        `(${listPages} list + ${count} GETs + ${count} reads)`,
        `\`roster plan --format json\` ${across}, c=${concurrency}`,
      );
      figures(
        applies["--no-verify"]!,
        planRequests + removals,
        `(plan's ${planRequests} + ${removals} removals)`,
        `\`roster apply --yes --no-verify\` ${across}, ${removals} removals, c=${concurrency}`,
      );
      figures(
        applies.verify!,
        planRequests + removals + count,
        `(plan's ${planRequests} + ${removals} removals + ${count} reads)`,
        `\`roster apply --yes\` (verified) ${across}, ${removals} removals, c=${concurrency}`,
      );
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * Starts the independent fake API (scripts/bench-fake-api.mjs, none of roster's code) in a child process with
 * `state` (see that file); stop() ends it and returns its counts.
 */
async function fakeApi(state: Record<string, unknown>): Promise<{ url: string; stop: () => Promise<FakeCounts> }> {
  const file = join(work, `fake-${process.hrtime.bigint()}.json`);
  writeFileSync(file, JSON.stringify({ key: KEY, latencyMs: 25, ...state }));
  const child = spawn(process.execPath, [join(ROOT, "scripts/bench-fake-api.mjs"), file], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! });
  const [url] = (await once(lines, "line")) as [string];
  return {
    url,
    stop: async () => {
      const counted = once(lines, "line");
      child.kill("SIGTERM");
      const [text] = (await counted) as [string];
      await once(child, "exit");
      rmSync(file, { force: true });
      return JSON.parse(text) as FakeCounts;
    },
  };
}

interface FakeCounts {
  requests: number;
  served: number;
  refused: number;
  removed: number;
  maxInWindow: number;
}

/**
 * Issue 21's windows rows: apply 299 removals at c=16 under 40 requests a second, against the independent fake
 * API: one-second windows that start with the first request after the last one ended (not on the clock's
 * second), x-ratelimit-reset in whole seconds rounded up, 429s without any rate-limit header. Against the ideal
 * (N - R)/R + 0.5 s; the share of requests answered 429 beside it. Then the same with a CPU-bound process
 * running beside roster (timer jitter on a loaded machine).
 */
async function benchWindows() {
  const n = 299;
  const rate = 40;
  const concurrency = 16;
  const ideal = ((n - rate) / rate) * 1000 + 500;
  for (const loaded of [false, true]) {
    process.stderr.write(
      `windows from the first request (R = ${rate}/s, N = ${n}, c = ${concurrency}, L = 25 ms${loaded ? ", a CPU-bound process beside" : ""})\n`,
    );
    const times: number[] = [];
    const shares: number[] = [];
    for (let rep = 0; rep < REPS; rep += 1) {
      const org = makeOrg(n + 1);
      const manifest = parseManifest(manifestOf(["owner@example.com"]), "users.yaml");
      const plan = planRemovals(manifest, org);
      const fake = await fakeApi({ users: org, rate: { limit: rate, windowMs: 1000 } });
      let limited = 0;
      const api = new TelnyxClient({
        baseUrl: fake.url,
        apiKey: KEY,
        maxSockets: concurrency,
        onRetry: (e) => e.reason.startsWith("429") && (limited += 1),
      });
      const burner = loaded ? spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }) : undefined;
      if (burner) await new Promise((resolve) => setTimeout(resolve, 200));
      const start = performance.now();
      const result = await applyPlan(plan, rulesOf(manifest), api, { concurrency });
      times.push(performance.now() - start);
      if (burner) {
        burner.kill("SIGKILL");
        await once(burner, "exit");
      }
      api.close();
      const counted = await fake.stop();
      if (result.summary.removed !== n)
        throw new Error(`expected ${n} removals, got ${JSON.stringify(result.summary)}`);
      if (counted.maxInWindow > rate) throw new Error(`the fake served ${counted.maxInWindow} in one window`);
      shares.push(counted.refused / counted.requests);
    }
    row(
      `apply ${n} removals under ${rate} requests/s, windows from the first request, 429s without headers${loaded ? ", a CPU-bound process beside" : ""} (independent fake)`,
      ms(median(times)),
      `(N-R)/R + 0.5 s = ${ms(ideal)}`,
      `${(median(times) / ideal).toFixed(2)}x (bound ${loaded ? "1.15" : "1.10"}x); ${(median(shares) * 100).toFixed(1)}% 429s (bound 3%)`,
    );
  }
}

/**
 * Issue 21's thousand accounts: `roster plan -f DIR --format json` at c=32 across 1,000 managed accounts of 20
 * users (one manifest each, 18 listed), against the independent fake API, compared with the requests it must
 * make (the list pages, one GET and one groups report per account) times L over c, plus two sequential
 * requests (the first list page; an account's report after its GET) and roster's start-up (`roster --help`,
 * measured between the runs).
 */
async function benchThousand() {
  const latency = 25;
  const count = 1000;
  const size = 20;
  const keep = 18;
  const concurrency = 32;
  process.stderr.write(`a thousand accounts (${count} of ${size} users, L = ${latency} ms, c = ${concurrency})\n`);
  const managed = generateManagedAccounts(count, 1, size);
  const folder = mkdtempSync(join(work, "thousand-"));
  for (const account of managed) {
    const emails = account.users.slice(0, keep).map((u) => u.email);
    writeFileSync(
      join(folder, `${account.id}.yaml`),
      `version: 1\naccount:\n  id: ${account.id}\nusers:\n${emails.map((e) => `  - ${e}\n`).join("")}`,
    );
  }
  const fake = await fakeApi({ users: makeOrg(3), managed_accounts: managed });
  const runs: CliRun[] = [];
  const floors: CliRun[] = [];
  const startups: number[] = [];
  const floorScript = join(ROOT, "scripts/bench-floor-accounts.mjs");
  try {
    // Once before the runs: the fake builds each account's answer on its first request, which neither side should pay.
    await runScript(floorScript, [folder, String(concurrency)], fake.url, "the floor script");
    for (let rep = 0; rep < REPS; rep += 1) {
      const begin = performance.now();
      const help = spawn(process.execPath, [ROSTER, "--help"], { stdio: "ignore" });
      await once(help, "exit");
      startups.push(performance.now() - begin);
      const floor = await runScript(floorScript, [folder, String(concurrency)], fake.url, "the floor script");
      const removals = (JSON.parse(floor.stdout) as { accounts: { removals: unknown[] }[] }).accounts.flatMap(
        (account) => account.removals,
      ).length;
      if (removals !== count * (size - keep)) throw new Error(`the floor script planned ${removals} removals`);
      floors.push(floor);
      const c = ["--concurrency", String(concurrency)];
      const run = await runRoster(["plan", "-f", folder, "--format", "json", ...c], fake.url, "roster plan");
      const planned = (JSON.parse(run.stdout) as { summary: { remove: number } }).summary.remove;
      if (planned !== count * (size - keep)) throw new Error(`roster plan planned ${planned} removals`);
      runs.push(run);
    }
  } finally {
    const counted = await fake.stop();
    rmSync(folder, { recursive: true, force: true });
    process.stderr.write(`  the fake answered ${counted.requests} requests\n`);
  }
  const requests = Math.ceil(count / 250) + count + count;
  const startup = median(startups);
  const bound = (requests * latency) / concurrency + 2 * latency + startup;
  const time = median(runs.map((r) => r.ms));
  const floor = median(floors.map((r) => r.ms));
  row(
    `\`roster plan -f DIR --format json\` across ${count} accounts of ${size} users, c=${concurrency} (independent fake)`,
    ms(time),
    `${requests}·L/c + 2·L + start-up ${ms(startup)} = ${ms(bound)}; the floor script ${ms(floor)} (${(floor / bound).toFixed(2)}x)`,
    `${(time / bound).toFixed(2)}x (bound 1.3x), ${(time / floor).toFixed(2)}x the floor; peak RSS ${median(runs.map((r) => r.maxRssMb)).toFixed(0)} MB (bound 300 MB)`,
  );
}

/**
 * Issue 21's 100,000-user row: `roster plan -f users.yaml --format json` of 100,000 live users (most in a group or
 * two) against a 90,000-user manifest, both as processes against the independent fake API, compared with the
 * floor of the job (scripts/bench-floor.mjs: fetch and parse the groups report, read the manifest's emails, write
 * the same removals and kept users as JSON), run alternately, spawn to exit, peak RSS by GNU time.
 */
async function benchFloor() {
  const count = 100_000;
  const listed = 90_000;
  process.stderr.write(`the 100,000-user plan against its floor (${listed.toLocaleString("en")} listed, L = 25 ms)\n`);
  const groups = [
    [],
    [{ id: "3f1c5c2e-6a55-4b77-9a43-0d1f0c1a2b01", name: "Support" }],
    [
      { id: "3f1c5c2e-6a55-4b77-9a43-0d1f0c1a2b02", name: "Engineering" },
      { id: "3f1c5c2e-6a55-4b77-9a43-0d1f0c1a2b03", name: "On call" },
    ],
  ];
  const org = makeOrg(count).map((u, i) => ({ ...u, groups: i === 0 ? [] : groups[i % 3]! }));
  const file = join(work, "floor-users.yaml");
  writeFileSync(file, manifestOf(org.slice(0, listed).map((u) => u.email)));
  const fake = await fakeApi({ users: org });
  const floors: CliRun[] = [];
  const rosters: CliRun[] = [];
  try {
    // Once before the runs: the fake builds its answer on the first request, which neither side should pay.
    await runScript(join(ROOT, "scripts/bench-floor.mjs"), [file], fake.url, "the floor script");
    for (let rep = 0; rep < REPS; rep += 1) {
      const floor = await runScript(join(ROOT, "scripts/bench-floor.mjs"), [file], fake.url, "the floor script");
      const removals = (JSON.parse(floor.stdout) as { removals: unknown[] }).removals.length;
      if (removals !== count - listed) throw new Error(`the floor script planned ${removals} removals`);
      floors.push(floor);
      const run = await runRoster(["plan", "-f", file, "--format", "json", "--force"], fake.url, "roster plan");
      const planned = (JSON.parse(run.stdout) as { summary: { remove: number } }).summary.remove;
      if (planned !== count - listed) throw new Error(`roster plan planned ${planned} removals`);
      rosters.push(run);
    }
  } finally {
    await fake.stop();
  }
  const time = median(rosters.map((r) => r.ms));
  const floor = median(floors.map((r) => r.ms));
  row(
    `\`roster plan --format json\`, ${count.toLocaleString("en")} users against a ${listed.toLocaleString("en")}-user manifest (independent fake)`,
    ms(time),
    `the floor script ${ms(floor)}, ${median(floors.map((r) => r.maxRssMb)).toFixed(0)} MB`,
    `${(time / floor).toFixed(2)}x (bound 1.5x); peak RSS ${median(rosters.map((r) => r.maxRssMb)).toFixed(0)} MB (bound 250 MB)`,
  );
}

const benches: Record<string, () => Promise<void>> = {
  startup: benchStartup,
  plan: benchPlan,
  render: benchRender,
  read: benchRead,
  removals: benchRemovals,
  ratelimit: benchRateLimit,
  ratemodels: benchRateModels,
  windows: benchWindows,
  floor: benchFloor,
  thousand: benchThousand,
  accounts: async () => {
    await benchAccounts();
    await benchAccountsCli();
  },
};
for (const [name, bench] of Object.entries(benches)) {
  if (ONLY && !ONLY.includes(name)) continue;
  await bench();
}
process.stdout.write(
  `\n| measure | median | compared with | ratio |\n| --- | --- | --- | --- |\n${rows.map((r) => `| ${r.join(" | ")} |`).join("\n")}\n`,
);
process.stdout.write(`\n${REPS} runs each; node ${process.version}; ${new Date().toISOString().slice(0, 10)}\n`);
