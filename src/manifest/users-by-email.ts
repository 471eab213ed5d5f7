import { normalizeEmail } from "../core/email.js";

/**
 * A manifest's users by their emails as compared: where in the list each is. The reading builds it while it checks
 * for users listed twice, and the planner and the rules look users up in it instead of building the same index of
 * 90,000 emails again. Held by the list's identity (a manifest with another list of users, even one made by
 * spreading the manifest, gets its own), so it never answers for users it was not built from.
 */
const indexes = new WeakMap<readonly object[], ReadonlyMap<string, number>>();

/** Records `index` as where each email of `users` is (toManifest's, which built it while reading them). */
export function rememberUsersByEmail(users: readonly { email: string }[], index: ReadonlyMap<string, number>): void {
  indexes.set(users, index);
}

/**
 * Where in `users` each email as compared (normalizeEmail) is: its first listing. Built once for each list, or
 * taken from the reading that built it.
 */
export function usersByEmail(users: readonly { email: string }[]): ReadonlyMap<string, number> {
  let index = indexes.get(users);
  // A list that grew or shrank since (nothing in roster changes one) is indexed again.
  if (index === undefined || index.size !== users.length) {
    const built = new Map<string, number>();
    users.forEach((user, at) => {
      const email = normalizeEmail(user.email);
      if (!built.has(email)) built.set(email, at);
    });
    index = built;
    indexes.set(users, index);
  }
  return index;
}
