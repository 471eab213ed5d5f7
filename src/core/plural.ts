/** "1 user", "3 users": a count with the word that agrees with it. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
