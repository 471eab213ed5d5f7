import type { OrganizationUser } from "../core/organization-user.js";
import { mulberry32 } from "./faults.js";
import type { ManagedAccountSeed } from "./managed-accounts.js";

const FIRST = [
  "Amara",
  "Bruno",
  "Chen",
  "Dalia",
  "Emeka",
  "Farah",
  "Goran",
  "Hana",
  "Ivan",
  "Jia",
  "Kofi",
  "Lena",
  "Mateo",
  "Nadia",
  "Omar",
  "Priya",
  "Quinn",
  "Rosa",
  "Sven",
  "Tariq",
  "Uma",
  "Viktor",
  "Wen",
  "Ximena",
  "Yusuf",
  "Zoe",
];
const LAST = [
  "Okafor",
  "Lindqvist",
  "Haddad",
  "Moreau",
  "Tanaka",
  "Novak",
  "Reyes",
  "Schmidt",
  "Kowalski",
  "Mensah",
  "Patel",
  "Rossi",
  "Nakamura",
  "Duarte",
  "Ivanova",
  "Brennan",
  "Sato",
  "Jensen",
  "Abebe",
  "Castillo",
];
const FIRM = [
  "Harbor",
  "Northwind",
  "Bluebell",
  "Cedar",
  "Ironbridge",
  "Larkspur",
  "Meridian",
  "Oakridge",
  "Pinecrest",
  "Quarry",
  "Redwood",
  "Silverline",
  "Tidewater",
  "Upland",
  "Vantage",
  "Willow",
  "Juniper",
  "Granite",
  "Foxglove",
  "Elmstead",
];
const TRADE = [
  "Dental",
  "Logistics",
  "Realty",
  "Bakery",
  "Clinic",
  "Law",
  "Travel",
  "Motors",
  "Studios",
  "Fitness",
  "Insurance",
  "Plumbing",
];
const SUFFIX = ["LLC", "Inc", "Ltd", "Group", "Co"];
const GROUPS = ["Admins", "Billing", "Engineering", "Support"];

/**
 * `count` managed accounts of made-up but plausible businesses, each with an owner and a few sub-users (or
 * `usersPerAccount` users in all), their groups, statuses and dates: the same `seed` makes the same accounts,
 * ids and keys, so a demo or a benchmark can be run again against the same sandbox.
 */
export function generateManagedAccounts(count: number, seed: number, usersPerAccount?: number): ManagedAccountSeed[] {
  const random = mulberry32(seed ^ 0x5eed_acc7);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const hex = (digits: number) => Array.from({ length: digits }, () => Math.floor(random() * 16).toString(16)).join("");
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-${"89ab"[Math.floor(random() * 4)]}${hex(3)}-${hex(12)}`;
  const names = new Set<string>();
  return Array.from({ length: count }, (_, index) => {
    let name = `${pick(FIRM)} ${pick(TRADE)}`;
    // Organization names are how a manifest may name its account: keep them distinct.
    for (let n = 2; names.has(name); n += 1) name = `${name.replace(/ \d+$/, "")} ${n}`;
    names.add(name);
    const domain = `${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}.example.com`;
    const groups = GROUPS.map((group) => ({ id: uuid(), name: group }));
    const size = usersPerAccount ?? 4 + Math.floor(random() * 12);
    const emails = new Set<string>();
    const users = Array.from({ length: size }, (_, i): OrganizationUser => {
      let first = pick(FIRST);
      let last = pick(LAST);
      // Another name rather than a number while names are left; a large account numbers its namesakes.
      for (let tries = 0; tries < 20 && emails.has(`${first}.${last}@${domain}`.toLowerCase()); tries += 1)
        [first, last] = [pick(FIRST), pick(LAST)];
      let email = `${first}.${last}@${domain}`.toLowerCase();
      for (let n = 2; emails.has(email); n += 1) email = `${first}.${last}${n}@${domain}`.toLowerCase();
      emails.add(email);
      const day = 1 + Math.floor(random() * 28);
      // One draw, as ever, spread over a realistic history: some never signed in, some a year ago, some a
      // season ago, most this month; a plan with inactive_after_days lists the idle ones.
      const signIn = random();
      const lastSignIn =
        signIn < 0.2 ? null : signIn < 0.32 ? "2025-11" : signIn < 0.45 ? `2026-0${6 + (day % 3)}` : "2026-11";
      return {
        id: uuid(),
        record_type: i === 0 ? "organization_owner" : "organization_sub_user",
        email,
        user_status: i > 0 && random() < 0.1 ? "disabled" : "enabled",
        organization_user_bypasses_sso: false,
        created_at: `2024-${String(1 + (index % 12)).padStart(2, "0")}-${String(day).padStart(2, "0")}T09:00:00Z`,
        last_sign_in_at: lastSignIn === null ? null : `${lastSignIn}-${String(day).padStart(2, "0")}T12:00:00Z`,
        groups: i === 0 ? [groups[0]!] : groups.filter(() => random() < 0.3),
      };
    });
    return {
      id: uuid(),
      email: `accounts@${domain}`,
      organization_name: `${name} ${pick(SUFFIX)}`,
      // The shape of a real V2 key (KEY, hex, underscore, base64url), made up from the seed: it guards nothing real.
      api_key: `KEY${hex(32).toUpperCase()}_${Buffer.from(hex(16), "hex").toString("base64url")}`,
      created_at: new Date(Date.UTC(2024, 0, 1 + index, 9)).toISOString(),
      users,
    };
  });
}
