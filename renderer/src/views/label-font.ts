/**
 * The map labels' font families, both views. No font is fetched: maplibre 5 (with no `glyphs` URL in its style) and
 * Cesium both draw label glyphs on a canvas in these CSS families, the first one installed winning — Microsoft YaHei on
 * Windows consoles, PingFang on macOS, Noto / WenQuanYi on Linux (Debian's fonts-wqy-microhei in CI).
 */
export const LABEL_FONT = ['Microsoft YaHei', 'PingFang SC', 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', 'sans-serif'] as const;

/** The same families as a CSS font shorthand (Cesium labels): `600 15px "Microsoft YaHei", …, sans-serif`. */
export const labelCss = (px: number, weight = 600): string => `${weight} ${px}px ${LABEL_FONT.map((f) => (f === 'sans-serif' ? f : `"${f}"`)).join(', ')}`;
