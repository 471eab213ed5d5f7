/** "1 user", "3 users": a count with the word that agrees with it. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * "65,536": a count with a comma between each group of three digits, as `toLocaleString("en-US")` writes it, without
 * Intl: loading its number formats cost every start-up tens of milliseconds.
 */
export function thousands(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+$)/g, ",");
}
