import { normalizeEmail } from "../core/email.js";
import type { ManagedAccount } from "../core/managed-account.js";
import { nameKey, showName } from "../core/names.js";
import { clip } from "../core/safe-text.js";
import { describeSelector } from "../manifest/account-selector.js";
import type { AccountSelector, Manifest } from "../manifest/manifest.js";
import { formatProblem, ManifestError, type ManifestProblem } from "../manifest/manifest-error.js";

/** Which organization a manifest is for: one managed account, or the API key's own organization (no `account:`). */
export type ManifestTarget = { kind: "own" } | { kind: "managed"; account: ManagedAccount };

/** A manifest with the organization it reconciles. */
export interface ManifestAccount<M extends Manifest = Manifest> {
  manifest: M;
  target: ManifestTarget;
}

/**
 * A manifest's `account:` that matches no managed account, or several, or one another manifest has: nothing is read or
 * changed.
 */
export class AccountChoiceError extends ManifestError {
  constructor(problems: ManifestProblem[]) {
    super(problems);
    this.name = "AccountChoiceError";
  }
}

/** Candidates named when a selector matches no account. */
const CLOSEST = 5;

/**
 * Resolves each manifest's `account:` to exactly one of the accounts the manager's key manages: an id
 * compared case-insensitively, an email as emails compare, an organization name as names compare (nameKey:
 * composed, spaces plain, trimmed). Pure. A selector matching none (the closest candidates named) or several (each one
 * named, to be
 * chosen by id), and two manifests reaching the same account by different selectors, are problems at the
 * `account:` entry; every one is reported at once. In the manifests' order.
 */
export function chooseAccounts<M extends Manifest>(
  manifests: readonly M[],
  accounts: readonly ManagedAccount[],
): ManifestAccount<M>[] {
  const problems: ManifestProblem[] = [];
  const chosen: ManifestAccount<M>[] = [];
  const claimedBy = new Map<string, M>();
  const matching = selectorMatcher(accounts);
  for (const manifest of manifests) {
    const selector = manifest.account;
    if (!selector) {
      chosen.push({ manifest, target: { kind: "own" } });
      continue;
    }
    const at = { file: manifest.path, ...selector.position };
    const matches = matching(selector);
    if (matches.length === 0) {
      problems.push({ ...at, message: noMatch(selector, accounts) });
      continue;
    }
    if (matches.length > 1) {
      const listed = matches.map((account) => describeAccount(account)).join("; ");
      problems.push({
        ...at,
        message:
          `${describeSelector(selector)} matches ${matches.length} managed accounts: ${listed}: name the one ` +
          `this manifest is for by its id (account: { id: ... })`,
      });
      continue;
    }
    const account = matches[0]!;
    const key = account.id.toLowerCase();
    const earlier = claimedBy.get(key);
    if (earlier) {
      const there = formatProblem({ file: earlier.path, ...earlier.account!.position, message: "" }).slice(0, -2);
      problems.push({
        ...at,
        message:
          `${describeSelector(selector)} is the managed account ${describeAccount(account)}, which ${there} ` +
          `names as well (by ${describeSelector(earlier.account!)}): each account has one manifest; merge the two`,
      });
      continue;
    }
    claimedBy.set(key, manifest);
    chosen.push({ manifest, target: { kind: "managed", account } });
  }
  if (problems.length > 0) throw new AccountChoiceError(problems);
  return chosen;
}

/** Whether `account` is the one `selector` names. */
export function matchesSelector(account: ManagedAccount, selector: AccountSelector): boolean {
  return accountKey(account, selector.by) === wantedKey(selector);
}

/** An account's value of a selector's kind, as compared (undefined: it has none, such as no organization name). */
function accountKey(account: ManagedAccount, by: AccountSelector["by"]): string | undefined {
  if (by === "id") return account.id.trim().toLowerCase();
  if (by === "email") return normalizeEmail(account.email);
  return account.organization_name === null ? undefined : nameKey(account.organization_name);
}

/** A selector's value, as compared. */
function wantedKey(selector: AccountSelector): string {
  if (selector.by === "id") return selector.value.trim().toLowerCase();
  if (selector.by === "email") return normalizeEmail(selector.value);
  return nameKey(selector.value);
}

/**
 * The accounts each selector matches, in the accounts' order, by an index of each kind built once: a thousand
 * manifests against a thousand accounts is a thousand lookups, not a million comparisons.
 */
export function selectorMatcher(accounts: readonly ManagedAccount[]): (selector: AccountSelector) => ManagedAccount[] {
  const indexes = new Map<AccountSelector["by"], Map<string, ManagedAccount[]>>();
  return (selector) => {
    let index = indexes.get(selector.by);
    if (!index) {
      index = new Map();
      for (const account of accounts) {
        const key = accountKey(account, selector.by);
        if (key === undefined) continue;
        const list = index.get(key);
        if (list) list.push(account);
        else index.set(key, [account]);
      }
      indexes.set(selector.by, index);
    }
    return index.get(wantedKey(selector)) ?? [];
  };
}

/** An account as a message names it: its id, email and organization name. */
function describeAccount(account: ManagedAccount): string {
  const name =
    account.organization_name === null ? "no organization name" : `organization ${showName(account.organization_name)}`;
  return `id ${quote(account.id)}, email ${quote(account.email)}, ${name}`;
}

function quote(value: string): string {
  return JSON.stringify(clip(value, 80));
}

function noMatch(selector: AccountSelector, accounts: readonly ManagedAccount[]): string {
  const what = describeSelector(selector);
  if (accounts.length === 0)
    return (
      `${what} matches no managed account: the API key manages none; export the manager account's API key in ` +
      `TELNYX_API_KEY`
    );
  const closest = closestAccounts(selector, accounts).map((account) => describeAccount(account));
  const none =
    accounts.length === 1 ? "does not match the one account" : `matches none of the ${accounts.length} accounts`;
  const candidates = accounts.length === 1 ? "it is" : "the closest are";
  return (
    `${what} ${none} the API key manages; ${candidates}: ${closest.join("; ")}: correct account:, or check that ` +
    `TELNYX_API_KEY is the key of the account's manager`
  );
}

/** The accounts whose value of the selector's kind is closest to the selector's (edit distance, case ignored). */
function closestAccounts(selector: AccountSelector, accounts: readonly ManagedAccount[]): ManagedAccount[] {
  const valueOfAccount = (account: ManagedAccount): string =>
    selector.by === "id"
      ? account.id.toLowerCase()
      : selector.by === "email"
        ? normalizeEmail(account.email)
        : nameKey(account.organization_name ?? "").toLowerCase();
  const wanted =
    selector.by === "email"
      ? normalizeEmail(selector.value)
      : selector.by === "id"
        ? selector.value.trim().toLowerCase()
        : nameKey(selector.value).toLowerCase();
  return accounts
    .map((account, index) => ({ account, index, distance: editDistance(wanted, valueOfAccount(account)) }))
    .sort((a, b) => a.distance - b.distance || a.index - b.index)
    .slice(0, CLOSEST)
    .map((scored) => scored.account);
}

/** Levenshtein distance over the first 300 characters: a hostile value cannot make this slow. */
export function editDistance(a: string, b: string): number {
  const x = [...a.slice(0, 300)];
  const y = [...b.slice(0, 300)];
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= y.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[y.length]!;
}
