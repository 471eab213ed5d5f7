// One measurement of `npm run bench`'s "accounts" row, in a process of its own so that its peak memory is the
// executor's alone: given a sandbox of a manager and its managed accounts (the manager's key in
// TELNYX_API_KEY), it lists the accounts, fetches each one's key, reads each account's users with its own
// client and plans the removal of every user past the first KEEP, then times one apply across all accounts.
// Prints one JSON line: { ms, removals, summary, maxRssMb }.
import pLimit from "p-limit";
import { applyAcrossAccounts, type AccountApply } from "../src/apply/apply-run.js";
import { parseManifest } from "../src/manifest/parse-manifest.js";
import { planRemovals } from "../src/plan/plan.js";
import { rulesOf } from "../src/plan/rules.js";
import { TelnyxClient } from "../src/telnyx/client.js";
import { readOrganization } from "../src/telnyx/read-organization.js";

const [url, concurrencyText, keepText] = process.argv.slice(2);
const managerKey = process.env.TELNYX_API_KEY!;
const concurrency = Number(concurrencyText);
const keep = Number(keepText);
const limit = pLimit(concurrency);

/** The manager's endpoints, asked directly: the client's managed-accounts calls are another branch's work. */
async function managerGet<T>(path: string): Promise<T> {
  const response = await fetch(`${url}${path}`, {
    headers: { Authorization: `Bearer ${managerKey}`, Accept: "application/json" },
  });
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}`);
  return (await response.json()) as T;
}

type Listing = { id: string; email: string; organization_name: string };
const first = await managerGet<{ data: Listing[]; meta: { total_pages: number } }>(
  "/managed_accounts?page[size]=250&sort=created_at",
);
const rest = await Promise.all(
  Array.from({ length: first.meta.total_pages - 1 }, (_, i) =>
    limit(() =>
      managerGet<{ data: Listing[] }>(`/managed_accounts?page[size]=250&sort=created_at&page[number]=${i + 2}`),
    ),
  ),
);
const listings = [first, ...rest].flatMap((page) => page.data);

const clients: TelnyxClient[] = [];
const runs: AccountApply[] = await Promise.all(
  listings.map((listing) =>
    limit(async () => {
      const { data } = await managerGet<{ data: { api_key: string } }>(`/managed_accounts/${listing.id}`);
      const client = new TelnyxClient({ baseUrl: url!, apiKey: data.api_key, maxSockets: concurrency });
      clients.push(client);
      const live = await readOrganization(client, { concurrency });
      const manifest = parseManifest(
        `version: 1\nusers:\n${live
          .slice(0, keep)
          .map((u) => `  - ${u.email}\n`)
          .join("")}`,
        `${listing.id}.yaml`,
      );
      return {
        account: { id: listing.id, email: listing.email, organization_name: listing.organization_name },
        plan: planRemovals(manifest, live),
        rules: rulesOf(manifest),
        remover: client,
      };
    }),
  ),
);

const removals = runs.reduce((sum, run) => sum + run.plan.removals.length, 0);
const start = performance.now();
const result = await applyAcrossAccounts(runs, { concurrency });
const ms = performance.now() - start;
for (const client of clients) client.close();
if (result.summary.removed !== removals)
  throw new Error(`expected ${removals} removals, got ${JSON.stringify(result.summary)}`);
process.stdout.write(
  `${JSON.stringify({ ms, accounts: runs.length, removals, summary: result.summary, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
