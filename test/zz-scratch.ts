import { mkdirSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { execFile } from "node:child_process";
import { startSandbox } from "/work/wt/accounts-tests/src/sandbox/sandbox.js";
import { liveUser, exampleOrg, manifestText } from "/work/wt/accounts-tests/test/helpers/org.js";
function account(n: number, name: string, slug: string, firsts: string[], extra: any = {}) {
  const hex = String(n).repeat(8).slice(0, 8);
  const users = ["owner", ...firsts].map((first, i) => liveUser(`${hex}-0000-4000-8000-${String(i).padStart(12, "0")}`, `${first}@${slug}.example.com`, i === 0 ? { record_type: "organization_owner", last_sign_in_at: "2026-11-20T01:00:00Z" } : {}));
  return { id: `${hex}-aaaa-4bbb-8ccc-${hex}dddd`, email: `accounts@${slug}.example.com`, organization_name: name, api_key: `KEY0${n}MANAGED_${slug.toUpperCase()}_never_print_me`, users, ...extra };
}
const H = account(1, "Harbor Dental LLC", "harbor", ["amara","bruno","chen","dalia","emeka"]);
const N = account(2, "Northwind Logistics Inc", "northwind", ["farah","goran","hana","ivan"]);
const sb = await startSandbox({ users: exampleOrg(), apiKey: "rk_test_9f3Qz7XwL2_never_print_me", managedAccounts: [H, N] });
const dir = mkdtempSync("/tmp/acc-scratch/d-");
const mf = (s: any, keep: string[], by: string) => `${manifestText(["owner", ...keep].map(f => `${f}@${s.email.split("@")[1]}`))}account:\n  ${by}: ${JSON.stringify(s[by])}\n`;
writeFileSync(`${dir}/harbor.yaml`, mf(H, ["amara","bruno","chen"], "organization_name"));
writeFileSync(`${dir}/northwind.yaml`, mf(N, ["farah","goran","hana"], "email"));
const r: any = await new Promise((res) => execFile(process.execPath, ["dist/roster.js", ...process.argv.slice(2).map(a => a.replace("DIR", dir))], { env: { PATH: process.env.PATH, CI: "true", TELNYX_API_KEY: "rk_test_9f3Qz7XwL2_never_print_me", TELNYX_BASE_URL: sb.url }, encoding: "utf8" }, (err: any, stdout, stderr) => res({ stdout, stderr, status: err?.code ?? 0 })));
console.log(r.stdout); console.log("--- stderr"); console.log(r.stderr); console.log("code", r.status);
console.log("harbor list", sb.managedAccount(H.id).stats.listRequests, sb.managedAccount(H.id).stats.requests);
await sb.close(); rmSync(dir, { recursive: true });
