/** Text export helpers shared by every report: CSV cells and HTML escaping. */

/**
 * One RFC 4180 CSV cell. Numbers are written as numbers (a negative gap stays -5); text that a spreadsheet would run
 * as a formula (= + - @ at the start) is neutralized with a leading apostrophe.
 */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = String(v);
  return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${s.replace(/"/g, '""').replace(/^([=+\-@])/, "'$1")}"` : s;
}

/** A whole CSV file: UTF-8 BOM (Excel on Chinese Windows), CRLF line ends. */
export function csvText(header: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  return '\uFEFF' + [header.map(csvCell).join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\r\n') + '\r\n';
}

export const htmlEscape = (s: unknown) =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
