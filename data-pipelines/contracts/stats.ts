/** Small statistics shared by the server's supervision numbers and the renderer's KPIs. */

/** The p-quantile (0..1) of values by linear interpolation between closest ranks; NaN for none (p = 0.5: the median). */
export function quantile(values: readonly number[], p: number): number {
  if (!values.length) return Number.NaN;
  const v = [...values].sort((a, b) => a - b);
  const pos = (v.length - 1) * Math.min(1, Math.max(0, p));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo]! + (v[hi]! - v[lo]!) * (pos - lo);
}
