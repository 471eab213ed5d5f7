import { everyPage } from "./every-page.js";
import { normalizeEmail } from "../core/email.js";
import type { ManagedAccount } from "../core/managed-account.js";
import { ApiError } from "./api-error.js";
import type { TelnyxClient } from "./client.js";
import { quoted } from "./parse-answers.js";

/** How to read a manager's accounts. */
export interface ManagedAccountsReadOptions {
  /** Pages read at once after the first. */
  concurrency: number;
  /** Reads of the whole list tried when the pages disagree with the reported total (default 3). */
  maxReads?: number;
  /** List cancelled accounts as well (the API leaves them out by default). */
  includeCancelled?: boolean;
}

/** What listing needs of a client. */
type Lister = Pick<TelnyxClient, "listManagedAccountsPage">;

/**
 * Every account the manager's key manages: the first page (of 250) gives the page count, the rest are read
 * concurrently within the bound. A count that disagrees with the API's total (an account added or cancelled
 * while the pages were read) is read again; one id listed as two accounts is an error.
 */
export async function listManagedAccounts(
  client: Lister,
  options: ManagedAccountsReadOptions,
): Promise<ManagedAccount[]> {
  const maxReads = options.maxReads ?? 3;
  let last = "";
  for (let read = 1; read <= maxReads; read += 1) {
    const { accounts, totalResults } = await readOnce(client, options);
    if (totalResults === undefined || totalResults === accounts.length) return accounts;
    last = `${accounts.length} distinct accounts listed, ${totalResults} reported`;
  }
  throw new ApiError(
    "shape",
    `the managed accounts changed while they were being read (${last}), ${maxReads} times: nothing was changed; run ` +
      `again`,
  );
}

async function readOnce(client: Lister, options: ManagedAccountsReadOptions) {
  const pageOptions = options.includeCancelled ? { includeCancelled: true } : {};
  const { pages, totalResults } = await everyPage(async (n) => {
    const page = await client.listManagedAccountsPage(n, undefined, pageOptions);
    return { items: page.accounts, totalPages: page.totalPages, totalResults: page.totalResults };
  }, options.concurrency);
  return { accounts: distinctAccounts(pages), totalResults };
}

function distinctAccounts(lists: readonly (readonly ManagedAccount[])[]): ManagedAccount[] {
  const byId = new Map<string, ManagedAccount>();
  for (const accounts of lists) {
    for (const account of accounts) {
      const id = account.id.toLowerCase();
      const seen = byId.get(id);
      // A manifest chooses its account by id, email or name: one id under two emails or names could send
      // one account's manifest to another account's users.
      if (
        seen &&
        (normalizeEmail(seen.email) !== normalizeEmail(account.email) ||
          seen.organization_name !== account.organization_name)
      ) {
        throw new ApiError(
          "shape",
          `the API listed managed account id ${quoted(account.id)} twice, as two different accounts: nothing was ` +
            `changed; run again`,
        );
      }
      byId.set(id, account);
    }
  }
  return [...byId.values()];
}
