import { t, type Locale } from '../../i18n.ts';
import { cssColor, legendEntries, thresholdsText, WELL_CELL_COLOR } from './format.ts';

export function manholeLegend(locale: Locale): HTMLElement {
  const el = document.createElement('div');
  el.className = 'legend';
  for (const e of legendEntries(locale)) {
    const row = document.createElement('div');
    row.className = 'legend-row';
    const sw = document.createElement('span');
    sw.className = 'swatch dot';
    sw.style.background = e.color;
    row.append(sw, document.createTextNode(e.label));
    el.append(row);
  }
  // far out: normal wells counted in cells (layer2d / layer3d)
  const cells = document.createElement('div');
  cells.className = 'legend-row';
  const cs = document.createElement('span');
  cs.className = 'swatch dot';
  cs.style.background = cssColor(WELL_CELL_COLOR);
  cells.append(cs, document.createTextNode(t('layers.manholes.counted', undefined, locale)));
  const note = document.createElement('div');
  note.className = 'legend-note';
  note.textContent = t('layers.manholes.countedNote', undefined, locale);
  el.append(cells, note);
  const th = document.createElement('div');
  th.className = 'legend-note';
  th.textContent = t('layers.manholes.thresholds', { list: thresholdsText(locale).join(' · ') }, locale);
  el.append(th);
  return el;
}
