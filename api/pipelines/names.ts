import { createHash } from "node:crypto";

/**
 * A DNS-1123 subdomain name from a prefix and a suffix: as is when short enough, else the prefix cut and a hash
 * of the whole added, so that long names stay distinct and the same input always gives the same name.
 */
export function childName(prefix: string, suffix: string, max = 253): string {
  const whole = `${prefix}-${suffix}`;
  if (whole.length <= max) return whole;
  const hash = createHash("sha256").update(whole).digest("hex").slice(0, 10);
  return `${prefix.slice(0, max - suffix.length - hash.length - 2)}-${hash}-${suffix}`;
}
