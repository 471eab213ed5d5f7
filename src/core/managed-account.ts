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
