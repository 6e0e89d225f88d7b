import { t, type Locale } from '../../i18n.ts';
import { legendEntries, thresholdsText } from './format.ts';

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
  const th = document.createElement('div');
  th.className = 'legend-note';
  th.textContent = t('layers.manholes.thresholds', { list: thresholdsText(locale).join(' · ') }, locale);
  el.append(th);
  return el;
}
