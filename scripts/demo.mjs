// npm run demo: the main job on the embedded default. Starts the bundled sandbox on a free loopback
// port, then runs roster plan, roster apply --yes and roster plan again with examples/users.yaml; then the
// same across managed accounts: a sandbox of a manager and its accounts (examples/managed-accounts.json),
// reconciled with the manifests of examples/accounts/, one per account.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const roster = fileURLToPath(new URL("../dist/roster.js", import.meta.url));

/** Runs plan, apply --yes and plan on `manifest` against a sandbox seeded with `state`; false if one failed. */
async function reconcile(title, state, manifest) {
  // The sandbox's own key: a real TELNYX_API_KEY in the environment is never sent anywhere by the demo.
  const env = { ...process.env, TELNYX_API_KEY: "sandbox-key", TELNYX_BASE_URL: "" };
  process.stdout.write(`\n# ${title}\n`);
  const sandbox = spawn(process.execPath, [roster, "sandbox", "--state", state], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  // The sandbox's banner, said here as the demo's own before the first command: written as it came, it
  // landed under "$ roster plan" and read as if plan had printed it.
  let banner = "";
  const bannerDone = new Promise((resolve) => {
    sandbox.stderr.on("data", (chunk) => {
      banner += chunk;
      if (banner.includes("Press Ctrl-C")) resolve();
    });
    setTimeout(resolve, 3000).unref();
  });
  const [baseUrl] = await once(createInterface({ input: sandbox.stdout }), "line");
  await bannerDone;
  env.TELNYX_BASE_URL = baseUrl;
  const said = banner.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("Press Ctrl-C"));
  process.stdout.write(
    `\nThe demo started a sandbox (a stand-in for the Telnyx API on loopback, no real organization):\n${said.map((line) => `  | ${line}\n`).join("")}`,
  );
  let ok = true;
  for (const args of [["plan"], ["apply", "--yes"], ["plan"]]) {
    const command = ["roster", ...args, "-f", manifest].join(" ");
    process.stdout.write(`\n$ ${command}\n\n`);
    const child = spawn(process.execPath, [roster, ...args, "-f", manifest], { cwd: root, env, stdio: "inherit" });
    const [code] = await once(child, "exit");
    if (code !== 0) {
      process.stderr.write(`demo: ${command} exited ${code}\n`);
      ok = false;
      break;
    }
  }
  sandbox.kill("SIGTERM");
  await once(sandbox, "exit");
  return ok;
}

const ok =
  (await reconcile(
    "One organization: examples/org.json, reconciled with examples/users.yaml",
    "examples/org.json",
    "examples/users.yaml",
  )) &&
  (await reconcile(
    "A manager's managed accounts: examples/managed-accounts.json, one manifest per account in examples/accounts/",
    "examples/managed-accounts.json",
    "examples/accounts/",
  ));
process.exitCode = ok ? 0 : 1;
