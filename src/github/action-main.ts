// The entry of roster's GitHub Action (action.yml runs dist/action.js, bundled from this file).
import { runAction } from "./action.js";

process.exitCode = await runAction(process.env, (text) => process.stdout.write(text));
