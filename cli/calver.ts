/** Ordering of Orchest's CalVer versions (vYYYY.MM.N); validity is synth's `isCalVer`. */
import { isCalVer } from "../synth/index.js";

/** Negative when a < b, 0 when equal, positive when a > b. Both must be CalVer. */
export function compareCalVer(a: string, b: string): number {
  if (!isCalVer(a) || !isCalVer(b)) throw new Error(`not CalVer: ${isCalVer(a) ? b : a}`);
  const parts = (v: string) => v.slice(1).split(".").map(Number);
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
  return 0;
}
