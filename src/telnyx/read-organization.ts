import pLimit from "p-limit";
import { normalizeEmail } from "../manifest/email.js";
import { clip } from "../render/sanitize.js";
import { ApiError } from "./api-error.js";
import type { TelnyxClient } from "./client.js";
import type { OrganizationUser } from "./organization-user.js";

export interface ReadOptions {
  /** Pages read at once after the first. */
  concurrency: number;
  /** Reads of the whole organization tried when the pages disagree with the reported total. */
  maxReads?: number;
}

/**
 * Reads every user of the organization: the first page gives the page count, the rest are read
 * concurrently within the bound. Users are de-duplicated by id. Offset pagination shifts when the
 * organization changes during the read, so a count that disagrees with the API's total is read again.
 */
export async function readOrganization(client: Pick<TelnyxClient, "listUsersPage">, options: ReadOptions): Promise<OrganizationUser[]> {
  const maxReads = options.maxReads ?? 3;
  let last = "";
  for (let read = 1; read <= maxReads; read += 1) {
    const { users, totalResults } = await readOnce(client, options.concurrency);
    if (totalResults === undefined || totalResults === users.length) return users;
    last = `${users.length} distinct users listed, ${totalResults} reported`;
  }
  throw new ApiError("shape", `the organization changed while it was being read (${last}), ${maxReads} times: nothing was changed; run again`);
}

async function readOnce(client: Pick<TelnyxClient, "listUsersPage">, concurrency: number) {
  const first = await client.listUsersPage(1);
  const limit = pLimit(concurrency);
  const pageNumbers = Array.from({ length: Math.max(0, first.totalPages - 1) }, (_, i) => i + 2);
  let rest;
  try {
    rest = await Promise.all(pageNumbers.map((n) => limit(() => client.listUsersPage(n))));
  } catch (error) {
    limit.clearQueue();
    throw error;
  }
  const byId = new Map<string, OrganizationUser>();
  for (const page of [first, ...rest]) {
    for (const user of page.users) {
      const seen = byId.get(user.id);
      // Removals go by id and the manifest judges by email: one id under two emails (or as owner and not)
      // could send a listed user's id to be removed. Such a listing cannot be trusted at all.
      if (seen && (normalizeEmail(seen.email) !== normalizeEmail(user.email) || seen.record_type !== user.record_type)) {
        throw new ApiError("shape", `the API listed user id ${JSON.stringify(clip(user.id, 80))} twice, as two different users: nothing was changed; run again`);
      }
      byId.set(user.id, user);
    }
  }
  return { users: [...byId.values()], totalResults: first.totalResults };
}
