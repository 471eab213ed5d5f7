/** A user of the organization as the API returns it (GET /organizations/users). */
export interface OrganizationUser {
  id: string;
  record_type: string;
  email: string;
  user_status: string;
  organization_user_bypasses_sso?: boolean;
  created_at?: string;
  last_sign_in_at: string | null;
  /** The groups the user is in: always in the groups report, in the pages only with include_groups=true. */
  groups?: { id: string; name: string }[];
}

/** A user's group names in the API's order, or null when the API did not say which groups the user is in. */
export function groupNamesOf(user: { groups?: readonly { name: string }[] | undefined }): string[] | null {
  return user.groups === undefined ? null : user.groups.map((group) => group.name);
}

export const OWNER_RECORD_TYPE = "organization_owner";
/** The record type of every user but the owner: the only one roster ever removes. */
export const SUB_USER_RECORD_TYPE = "organization_sub_user";

/** A record type as compared: trimmed and lower-cased, so "Organization_Owner" is the owner. */
export function recordTypeOf(user: { record_type?: unknown }): string {
  const type = user.record_type;
  if (type === SUB_USER_RECORD_TYPE || type === OWNER_RECORD_TYPE) return type;
  return typeof type === "string" ? type.trim().toLowerCase() : "";
}
