import { everyPage } from "./every-page.js";
import { conflictText, distinctUsers } from "../core/same-record.js";
import { ApiError } from "./api-error.js";
import type { TelnyxClient } from "./client.js";
import type { OrganizationUser } from "../core/organization-user.js";

/** Where the users are read from: the groups report (one request), the pages, or the report with pages as fallback. */
export type ReadSource = "auto" | "report" | "pages";

export interface ReadOptions {
  /** Pages read at once after the first. */
  concurrency: number;
  /** Reads of the whole organization tried when the pages disagree with the reported total. */
  maxReads?: number;
  /** Default "auto": the groups report, and the pages when the API refuses it. */
  source?: ReadSource;
}

/** What reading needs of a client; `reportRefused` is noted on it, so later reads of a run go to the pages. */
type Reader = Pick<TelnyxClient, "listUsersPage" | "usersGroupsReport"> & { reportRefused?: boolean };

/**
 * Reads every user of the organization. The groups report gives them all in one request and one snapshot,
 * which is faster than any paging (see the README's Performance section); an account or API that refuses it
 * is read page by page instead. Users are de-duplicated by id, and one id listed as two different users (see
 * core/same-record.ts for what is judged) is an error.
 */
export async function readOrganization(client: Reader, options: ReadOptions): Promise<OrganizationUser[]> {
  const source = options.source ?? "auto";
  if (source === "pages" || (source === "auto" && client.reportRefused)) return readPages(client, options);
  let report: OrganizationUser[];
  try {
    report = await client.usersGroupsReport();
  } catch (error) {
    if (source === "report" || !refusal(error)) throw error;
    client.reportRefused = true;
    return readPages(client, options);
  }
  // Outside the fallback: a report that says two things of one id is refused, never replaced by the pages.
  return distinctOrRefused([report]);
}

/** An answer that says "not this endpoint" (refused, unknown, or not the API's shape), not "stop". */
function refusal(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    (error.kind === "shape" ||
      (error.kind === "http" && error.status !== undefined && error.status < 500 && error.status !== 429))
  );
}

/**
 * The pages: the first gives the page count, the rest are read concurrently within the bound. Offset
 * pagination shifts when the organization changes during the read, so a count that disagrees with the
 * API's total is read again.
 */
async function readPages(client: Reader, options: ReadOptions): Promise<OrganizationUser[]> {
  const maxReads = options.maxReads ?? 3;
  let last = "";
  for (let read = 1; read <= maxReads; read += 1) {
    const { users, totalResults } = await readOnce(client, options.concurrency);
    if (totalResults === undefined || totalResults === users.length) return users;
    last = `${users.length} distinct users listed, ${totalResults} reported`;
  }
  throw new ApiError(
    "shape",
    `the organization changed while it was being read (${last}), ${maxReads} times: nothing was changed; run again`,
  );
}

async function readOnce(client: Reader, concurrency: number) {
  const { pages, totalResults } = await everyPage(async (n) => {
    const page = await client.listUsersPage(n);
    return { items: page.users, totalPages: page.totalPages, totalResults: page.totalResults };
  }, concurrency);
  return { users: distinctOrRefused(pages), totalResults };
}

/** The users of a read, each once; a read that lists one id as two different users is refused whole. */
function distinctOrRefused(lists: readonly (readonly OrganizationUser[])[]): OrganizationUser[] {
  const { users, conflict } = distinctUsers(lists);
  // Removals go by id and the rules judge the record: a listing that says two things of one id cannot be trusted at
  // all.
  if (conflict)
    throw new ApiError(
      "shape",
      `the API listed ${conflictText(conflict)}: nothing was changed; run again, and if the API lists it so again, ` +
        `ask Telnyx support`,
    );
  return users;
}
