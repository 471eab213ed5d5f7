/** A position in a source file, 1-based, as editors show it. */
export interface SourcePosition {
  line: number;
  col: number;
}

/** One user the manifest says may stay in the organization. */
export interface DesiredUser {
  /** The email as compared (normalizeEmail): case-folded, its domain in ASCII. */
  email: string;
  /** The email as written in the manifest. */
  written: string;
  name?: string;
  comment?: string;
  /**
   * The groups the manifest says the user is in (as groupKey compares them), when it says: compared with the live ones,
   * never changed.
   */
  groups?: string[];
  /**
   * The last day of access (`expires:`), a calendar date YYYY-MM-DD in UTC, trimmed; from the day after, the user is
   * planned as if not listed.
   */
  expires?: string;
  /** Where the `expires:` value is written. */
  expiresAt?: SourcePosition;
  position: SourcePosition;
}

/** A `protect: [{ group: NAME }]` entry: every member of the group is never removed. */
export interface ProtectedGroup {
  /** As groupKey compares names: composed, spaces plain, trimmed, otherwise exact. */
  name: string;
  position: SourcePosition;
}

/** Limits on how much one run may remove; absent fields fall back to the defaults. */
export interface GuardSettings {
  maxRemovals?: number;
  maxRemovalPercent?: number;
  /** A plan removing any member of these groups (names as groupKey compares them) needs --force. */
  requireForceForGroups?: string[];
}

/** The manifest's `policy:`: how the plan reports access that ends or is not used. */
export interface PolicySettings {
  /** Users within this many days of their last day are listed as expiring soon (default 14). */
  warnBeforeExpiryDays: number;
  /** Users who stay but have not signed in for this many days are listed as idle; absent: no idle report. */
  inactiveAfterDays?: number;
}

/** Which managed account a manifest is for (`account:`), by the one key it is named by; the value trimmed. */
export interface AccountSelector {
  by: "id" | "email" | "organization_name";
  value: string;
  /** Where the value is written. */
  position: SourcePosition;
}

/** A loaded, validated manifest (version 1). */
export interface Manifest {
  path: string;
  version: 1;
  users: DesiredUser[];
  /** Glob patterns of users never removed, as written (trimmed). */
  protect: string[];
  /** Where each protect pattern is written, in the order of `protect`. */
  protectAt?: SourcePosition[];
  /** Groups whose members are never removed, in the order written. */
  protectGroups: ProtectedGroup[];
  guards: GuardSettings;
  /** `policy:`, its defaults filled in. */
  policy: PolicySettings;
  /** Where each name of the groups guard is written, in its order; absent in saved plans. */
  guardGroupsAt?: SourcePosition[];
  /** The managed account the manifest is for; absent: the API key's own organization. */
  account?: AccountSelector;
  /** "sha256:" and the hex digest of the file's bytes, when the manifest was read from a file. */
  sha256?: string;
}
