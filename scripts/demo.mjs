// npm run demo: the main job on the embedded default. Starts the bundled sandbox on a free loopback
// port, then runs roster plan, roster apply --yes and roster plan again with examples/users.yaml.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const roster = fileURLToPath(new URL("../dist/roster.js", import.meta.url));
// The sandbox's own key: a real TELNYX_API_KEY in the environment is never sent anywhere by the demo.
const env = { ...process.env, TELNYX_API_KEY: "sandbox-key", TELNYX_BASE_URL: "" };

const sandbox = spawn(process.execPath, [roster, "sandbox", "--state", "examples/org.json"], { cwd: root, env, stdio: ["ignore", "pipe", "inherit"] });
const [baseUrl] = await once(createInterface({ input: sandbox.stdout }), "line");
env.TELNYX_BASE_URL = baseUrl;

let failed = false;
for (const args of [["plan"], ["apply", "--yes"], ["plan"]]) {
  const command = ["roster", ...args, "-f", "examples/users.yaml"].join(" ");
  process.stdout.write(`\n$ ${command}\n\n`);
  const child = spawn(process.execPath, [roster, ...args, "-f", "examples/users.yaml"], { cwd: root, env, stdio: "inherit" });
  const [code] = await once(child, "exit");
  if (code !== 0) {
    process.stderr.write(`demo: ${command} exited ${code}\n`);
    failed = true;
    break;
  }
}
sandbox.kill("SIGTERM");
await once(sandbox, "exit");
process.exitCode = failed ? 1 : 0;
