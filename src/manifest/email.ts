/**
 * The form in which emails are compared: trimmed and lower-cased. Whether an email is well formed is the
 * schema's to say (schema/users.schema.json, definitions/email).
 */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
