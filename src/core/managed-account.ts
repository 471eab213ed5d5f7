import { clip, sanitize } from "./safe-text.js";

/**
 * A managed account as its manager's key lists it (GET /managed_accounts): a separate Telnyx account with its
 * own organization and users. It never holds the account's API key: that is returned apart, in memory only.
 */
export interface ManagedAccount {
  /** The account's id (a UUID). */
  id: string;
  /** The managed account's email. */
  email: string;
  /** The organization's name; null when the API gives none. */
  organization_name: string | null;
  /** The manager account's email (the V1 API user). */
  api_user: string;
  manager_account_id: string;
  /** ISO 8601. */
  created_at: string;
  /** ISO 8601. */
  updated_at: string;
}

/** An organization of a run as plans and results name it: a managed account (never its key), or the key's own. */
export interface AccountRef {
  id: string;
  email: string;
  organization_name: string;
}

/** The id a run across accounts gives the API key's own organization (a manifest without `account:`). */
export const OWN_ACCOUNT_ID = "own";
/** The API key's own organization as a run across accounts names it: it has no id, email or name of its own. */
export const OWN_ACCOUNT: AccountRef = { id: OWN_ACCOUNT_ID, email: "", organization_name: "" };

/** An account in words: "Acme <ops@acme.example> (6a09…)", or the key's own organization. Made safe to print. */
export function accountLabel(account: AccountRef): string {
  if (account.id === OWN_ACCOUNT_ID) return "the API key's own organization";
  const name = account.organization_name ? clip(account.organization_name, 80) : "(no organization name)";
  return sanitize(`${name} <${clip(account.email, 120)}> (${clip(account.id, 60)})`);
}

/** An account's short name, beside each result of an apply: its organization name, else its email. Made safe. */
export function accountName(account: AccountRef): string {
  if (account.id === OWN_ACCOUNT_ID) return "own organization";
  return sanitize(clip(account.organization_name || account.email, 40));
}
