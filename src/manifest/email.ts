/** The form in which emails are compared: trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

// Deliberately plain: one @, a non-empty local part, a dotted domain, no spaces or control characters.
// The API is the authority on deliverability; the manifest check only catches typos and pasted junk.
const EMAIL = /^[^\s@<>(),;:"\[\]\\\x00-\x1f\x7f]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/i;

export function isValidEmail(email: string): boolean {
  return email.length <= 254 && EMAIL.test(email);
}
