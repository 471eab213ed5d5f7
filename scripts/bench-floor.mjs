// The floor of issue 21's 100,000-user row: the least a program can do for `roster plan --format json`, with
// none of roster's code and none of its care. It fetches and parses the groups report, reads the manifest's
// emails (one per line, the plain form), and writes the same removals and kept users as JSON.
//
//   TELNYX_API_KEY=… TELNYX_BASE_URL=http://…/v2 node scripts/bench-floor.mjs users.yaml
import { readFileSync } from "node:fs";
import { get } from "node:http";

const listed = new Set();
for (const line of readFileSync(process.argv[2], "utf8").split("\n")) {
  const email = /^\s*-\s*(\S+@\S+)\s*$/.exec(line)?.[1];
  if (email) listed.add(email.toLowerCase());
}
const url = `${process.env.TELNYX_BASE_URL}/organizations/users/users_groups_report`;
const headers = { authorization: `Bearer ${process.env.TELNYX_API_KEY}`, accept: "application/json" };
const body = await new Promise((resolve, reject) => {
  get(url, { headers }, (res) => {
    const chunks = [];
    res.on("data", (chunk) => chunks.push(chunk));
    res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  }).on("error", reject);
});
const removals = [];
const kept = [];
for (const { id, email, record_type, user_status, last_sign_in_at, groups } of JSON.parse(body).data) {
  const user = { id, email, user_status, last_sign_in_at, groups };
  if (record_type === "organization_owner" || listed.has(email.toLowerCase())) kept.push(user);
  else removals.push({ action: "remove", ...user });
}
process.stdout.write(`${JSON.stringify({ removals, kept })}\n`);
