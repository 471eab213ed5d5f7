// The floor of issue 21's thousand-accounts row: the least a program can do for `roster plan -f DIR --format
// json` across managed accounts, with none of roster's code and none of its care (no checks of keys or owners, no
// redaction, no validation). It reads each manifest's account id and emails, lists the managed accounts, fetches
// each account's key, reads each account's groups report with it, `--concurrency` requests at a time over
// node:http, and writes each account's removals and kept users as JSON.
//
//   TELNYX_API_KEY=… TELNYX_BASE_URL=http://…/v2 node scripts/bench-floor-accounts.mjs DIR CONCURRENCY
import { readdirSync, readFileSync, writeSync } from "node:fs";
import http from "node:http";

const [folder, concurrency] = [process.argv[2], Number(process.argv[3])];
const base = new URL(process.env.TELNYX_BASE_URL);
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency ** 2 });
const get = (path, key) =>
  new Promise((resolve, reject) => {
    const headers = { authorization: `Bearer ${key}`, accept: "application/json" };
    const options = { host: base.hostname, port: base.port, path: `${base.pathname}${path}`, agent, headers };
    const req = http.request(options, (res) => {
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () => resolve(JSON.parse(Buffer.concat(chunks).toString("utf8"))));
    });
    req.on("error", reject);
    req.end();
  });
/** `task` for each of `items`, `concurrency` at a time. */
async function each(items, task) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const at = next++;
      await task(items[at], at);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

const manifests = readdirSync(folder)
  .filter((name) => name.endsWith(".yaml"))
  .sort()
  .map((name) => {
    const text = readFileSync(`${folder}/${name}`, "utf8");
    const emails = [...text.matchAll(/^\s*-\s*(\S+@\S+)\s*$/gm)].map((match) => match[1].toLowerCase());
    return { id: /^\s*id:\s*(\S+)/m.exec(text)[1], listed: new Set(emails) };
  });
const key = process.env.TELNYX_API_KEY;
const page = (n) => get(`/managed_accounts?page[number]=${n}&page[size]=250`, key);
const first = await page(1);
await each(
  Array.from({ length: first.meta.total_pages - 1 }, (_, i) => i + 2),
  (n) => page(n),
);
const keys = new Map();
await each(manifests, async ({ id }) => keys.set(id, (await get(`/managed_accounts/${id}`, key)).data.api_key));
const accounts = [];
await each(manifests, async ({ id, listed }, at) => {
  const { data } = await get("/organizations/users/users_groups_report", keys.get(id));
  const entry = (u) => ({
    id: u.id,
    email: u.email,
    user_status: u.user_status,
    groups: (u.groups ?? []).map((g) => g.name),
  });
  const removals = data.filter((u) => !listed.has(u.email.toLowerCase())).map(entry);
  accounts[at] = { account: id, removals, kept: data.filter((u) => listed.has(u.email.toLowerCase())).map(entry) };
});
writeSync(1, `${JSON.stringify({ accounts }, null, 2)}\n`);
process.exit(0);
