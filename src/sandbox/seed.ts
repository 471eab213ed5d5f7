import { readFile } from "node:fs/promises";
import { readProblem } from "../files/file-error.js";
import type { OrganizationUser } from "../telnyx/organization-user.js";

/** Reads a sandbox seed: a JSON array of organization users. */
export async function readSeed(path: string): Promise<OrganizationUser[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    // A system error in words (never a bare code); a JSON error says where the text stops being JSON.
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code ? readProblem(code, path) : `not JSON: ${(error as Error).message}`;
    throw new Error(`${path}: cannot read the sandbox state (${reason}): give a JSON array of users, like examples/org.json`);
  }
  if (!Array.isArray(parsed)) throw new Error(`${path}: the sandbox state must be a JSON array of users, like examples/org.json`);
  parsed.forEach((user, index) => {
    const u = user as Partial<OrganizationUser>;
    if (typeof u?.id !== "string" || typeof u.email !== "string" || typeof u.record_type !== "string") {
      throw new Error(`${path}: user ${index + 1} needs string "id", "email" and "record_type" fields`);
    }
  });
  return parsed as OrganizationUser[];
}
