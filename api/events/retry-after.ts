/** Milliseconds a Retry-After header asks to wait (delay-seconds or an HTTP date), or undefined if unusable. */
export function parseRetryAfter(header: string | undefined, now: Date): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // An HTTP date names its day and zone; Date.parse alone would read "-5" as a year.
  const date = /GMT$/i.test(value) ? Date.parse(value) : NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
}
