import { normalizeEmail } from "../core/email.js";
import { nameKey, showName } from "../core/names.js";
import type { AccountSelector } from "./manifest.js";

/**
 * What an account selector names, as compared: an id in lower case, an email as emails compare, an
 * organization name as names compare (nameKey). Two selectors with the same key name the same account
 * whatever the list says.
 */
export function selectorKey(selector: AccountSelector): string {
  const value =
    selector.by === "id"
      ? selector.value.toLowerCase()
      : selector.by === "email"
        ? normalizeEmail(selector.value)
        : nameKey(selector.value);
  return `${selector.by}\u0000${value}`;
}

/** How a selector reads in a message: `account id "…"`. */
export function describeSelector(selector: AccountSelector): string {
  const key = selector.by === "organization_name" ? "organization name" : selector.by;
  return `account ${key} ${selector.by === "organization_name" ? showName(selector.value, Infinity) : JSON.stringify(selector.value)}`;
}
