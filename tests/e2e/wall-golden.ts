/**
 * What a wall golden hides, shared by the wall test (1920×1080) and the screen-size test (3840×1080): what moves with
 * the clock or with the random parking simulation is masked (MASK_COLOR, the same on every run): the longest-wait /
 * on-time / parking tiles, the parking card and the time-axis charts. The clock and the alarm ages are hidden instead
 * (their width follows the text), and the masked tiles keep one line, so that no text that grows with time can move
 * the layout. A constructed style sheet: the page's CSP refuses inline <style>, rightly; CSSOM is not markup.
 */
import type { Locator, Page } from 'playwright-core';

export const WALL_MASKED = [
  '[data-testid=wall-kpi-wait]',
  '[data-testid=wall-kpi-ontime]',
  '[data-testid=wall-kpi-parking]',
  '[data-testid=wall-card-parking]',
  '[data-testid=wall-chart-raised]',
  '[data-testid=wall-chart-parkingTrend]',
  '[data-testid=wall-chart-feed]',
];

const WALL_GOLDEN_CSS =
  '[data-testid=wall-clock], .wall-alarm-age { visibility: hidden; } :is([data-testid=wall-kpi-wait], [data-testid=wall-kpi-ontime], [data-testid=wall-kpi-parking]) .wall-tile-value { white-space: nowrap; overflow: hidden; }';

/** Adds (on) or removes the golden style sheet; `css` defaults to the wall's. */
export function setGoldenStyle(page: Page, on: boolean, css = WALL_GOLDEN_CSS): Promise<void> {
  return page.evaluate(
    ([on, css]) => {
      const w = window as unknown as { __goldenSheet?: CSSStyleSheet };
      w.__goldenSheet ??= new CSSStyleSheet();
      w.__goldenSheet.replaceSync(css);
      const others = document.adoptedStyleSheets.filter((x) => x !== w.__goldenSheet);
      document.adoptedStyleSheets = on ? [...others, w.__goldenSheet] : others;
    },
    [on, css] as const,
  );
}

/** The mask locators; fails when one is missing (the mask list is out of date). */
export async function maskOf(page: Page, selectors: readonly string[]): Promise<Locator[]> {
  const mask = selectors.map((m) => page.locator(m));
  for (const [i, m] of mask.entries())
    if ((await m.count()) === 0) throw new Error(`a masked element is missing (${selectors[i]}): the mask list is out of date`);
  return mask;
}
