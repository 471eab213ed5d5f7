import { open } from "node:fs/promises";
import { fileKind, READ_NONBLOCK } from "../files/regular-file.js";
import { readProblem } from "../files/file-error.js";
import type { OrganizationUser } from "../core/organization-user.js";

/** Reads a sandbox seed: a JSON array of organization users. */
export async function readSeed(path: string): Promise<OrganizationUser[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readRegular(path));
  } catch (error) {
    // A system error in words (never a bare code); a JSON error says where the text stops being JSON.
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code ? readProblem(code, path) : error instanceof SyntaxError ? `not JSON: ${error.message}` : (error as Error).message;
    throw new Error(`${path}: cannot read the sandbox state (${reason}): give a JSON array of users, like examples/org.json`);
  }
  if (!Array.isArray(parsed)) throw new Error(`${path}: the sandbox state must be a JSON array of users, like examples/org.json`);
  parsed.forEach((user, index) => {
    const u = user as Partial<OrganizationUser>;
    if (typeof u?.id !== "string" || typeof u.email !== "string" || typeof u.record_type !== "string") {
      throw new Error(`${path}: user ${index + 1} needs string "id", "email" and "record_type" fields`);
    }
    // The sandbox serves groups as the API does ({ id, name }); a seed that says otherwise would make it lie.
    const groups = u.groups as unknown;
    if (groups !== undefined && !(Array.isArray(groups) && groups.every((g) => typeof g?.id === "string" && typeof g?.name === "string"))) {
      throw new Error(`${path}: user ${index + 1} has "groups" that are not a list of { "id": string, "name": string }, like examples/org.json`);
    }
  });
  return parsed as OrganizationUser[];
}

/** The file's text; a FIFO or a device is refused without blocking on it. */
async function readRegular(path: string): Promise<string> {
  const file = await open(path, READ_NONBLOCK);
  try {
    const kind = fileKind(await file.stat());
    if (kind) throw new Error(`it is ${kind}, not a file`);
    return await file.readFile("utf8");
  } finally {
    await file.close();
  }
}
