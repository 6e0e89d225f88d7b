/**
 * The map labels' font families, both views. No font is fetched: maplibre 5 (with no `glyphs` URL in its style) and
 * Cesium both draw label glyphs on a canvas in these CSS families, the first one installed winning — Microsoft YaHei on
 * Windows consoles, PingFang on macOS, Noto / WenQuanYi on Linux (Debian's fonts-wqy-microhei in CI).
 */
export const LABEL_FONT = ['Microsoft YaHei', 'PingFang SC', 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', 'sans-serif'] as const;

/** The same families as a CSS font shorthand (Cesium labels): `600 15px "Microsoft YaHei", …, sans-serif`. */
export const labelCss = (px: number, weight = 600): string => `${weight} ${px}px ${LABEL_FONT.map((f) => (f === 'sans-serif' ? f : `"${f}"`)).join(', ')}`;

/**
 * A map label's size on this screen. The console keeps the designed size; a wall screen grows it with the wall's type
 * scale (docs/wall.md: 1 em = 1.75 % of the height; the designed sizes are for a 16 px em) and never lets it fall below
 * the wall's stated minimum, 1/72 of the screen height. Pure.
 */
export function labelPx(px: number, wall: boolean, basePx: number, heightPx: number): number {
  if (!wall) return px;
  const scaled = Number.isFinite(basePx) && basePx > 0 ? Math.round((px * basePx) / 16) : px;
  return Math.max(px, scaled, Math.ceil(heightPx / 72));
}

/** labelPx for this page as it is now (the wall screen is body.screen-wall; its em is the body's font size). */
export function screenLabelPx(px: number): number {
  const body = globalThis.document?.body;
  if (!body) return px;
  return labelPx(px, body.classList.contains('screen-wall'), parseFloat(getComputedStyle(body).fontSize), globalThis.innerHeight);
}
