/** `1 rule`, `3 rules`: counts in text for people. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
