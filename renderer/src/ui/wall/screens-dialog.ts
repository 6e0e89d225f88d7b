/**
 * Multi-display layout dialog: which screen each display shows, full screen or kiosk. Electron places one window per
 * display and restores them at the next start; the web shell saves the layout and lists one URL per screen to open
 * there (a page cannot place windows on other displays by itself).
 */
import type { RedWallBridge } from '../../../../electron/bridge/api.ts';
import { defaultWallLayout, screenQuery, WALL_SCREENS, type DisplayInfo, type WallLayout, type WallScreen } from '../../../../electron/bridge/wall-layout.ts';
import { t } from '../../i18n.ts';
import type { RootStore } from '../../stores/root.ts';
import { button, h } from '../dom.ts';

type Choice = WallScreen | 'none';

/** The URL that shows `screen` in this web shell. */
export function screenUrl(screen: WallScreen, loc: Location = location): string {
  return `${loc.origin}${loc.pathname}${screenQuery(screen)}`;
}

export async function openScreensDialog(store: RootStore, bridge: RedWallBridge, shell: 'electron' | 'web'): Promise<void> {
  document.getElementById('screens-dialog')?.remove();
  const dlg = h('dialog', { id: 'screens-dialog', class: 'screens-dialog', 'data-testid': 'screens-dialog' });
  document.body.append(dlg);
  const body = h('div', {});
  const msg = h('div', { class: 'muted', 'data-testid': 'screens-message' });
  dlg.append(
    h(
      'h2',
      {},
      t('wall.screens.title'),
      button(t('close'), { class: 'close', 'data-testid': 'screens-close' }, () => dlg.close()),
    ),
    h('p', { class: 'muted' }, t(shell === 'electron' ? 'wall.screens.electronNote' : 'wall.screens.webNote')),
    body,
    msg,
  );
  dlg.addEventListener('close', () => dlg.remove());
  dlg.showModal();

  let displays: DisplayInfo[] = [];
  const choices = new Map<string, { screen: Choice; fullscreen: boolean; kiosk: boolean }>();
  const render = (): void => {
    if (!displays.length) {
      body.replaceChildren(h('p', {}, t('wall.screens.none')));
      return;
    }
    const rows = displays.map((d, i) => {
      const c = choices.get(d.id)!;
      const sel = h(
        'select',
        { 'data-testid': `screens-select-${i}` },
        ...(['none', ...WALL_SCREENS] as const).map((s) => h('option', { value: s, selected: c.screen === s }, s === 'none' ? '—' : t(`wall.screen.${s}`))),
      );
      sel.onchange = () => {
        c.screen = sel.value as Choice;
        render();
      };
      const fs = h('input', { type: 'checkbox', checked: c.fullscreen, 'data-testid': `screens-fullscreen-${i}` });
      fs.onchange = () => (c.fullscreen = fs.checked);
      const kiosk = h('input', { type: 'checkbox', checked: c.kiosk, 'data-testid': `screens-kiosk-${i}` });
      kiosk.onchange = () => (c.kiosk = kiosk.checked);
      const url = c.screen === 'none' ? '' : screenUrl(c.screen);
      return h(
        'tr',
        { 'data-display': d.id },
        h(
          'td',
          {},
          `${t('wall.screens.display')} ${i + 1}${d.primary ? ` (${t('wall.screens.primary')})` : ''}`,
          h('div', { class: 'muted' }, `${d.label} · ${d.bounds.width}×${d.bounds.height} @ ${d.bounds.x},${d.bounds.y}`),
        ),
        h('td', {}, sel),
        h('td', {}, h('label', {}, fs, ` ${t('wall.screens.fullscreen')}`), h('br', {}), h('label', {}, kiosk, ` ${t('wall.screens.kiosk')}`)),
        shell === 'web' && url
          ? h(
              'td',
              {},
              h('code', { 'data-testid': `screens-url-${i}` }, url),
              h('br', {}),
              button(t('wall.screens.open'), { 'data-testid': `screens-open-${i}` }, () => {
                window.open(url, `redwall-screen-${i}`, `popup,left=${d.bounds.x},top=${d.bounds.y},width=${d.bounds.width},height=${d.bounds.height}`);
                void store.command({ type: 'wallLayout', op: 'open', screens: [c.screen] });
              }),
              ' ',
              button(t('wall.screens.copy'), {}, () => void navigator.clipboard?.writeText(url).catch(() => undefined)),
            )
          : h('td', {}),
      );
    });
    body.replaceChildren(
      h('table', { class: 'screens-table' }, h('tbody', {}, ...rows)),
      h(
        'div',
        { class: 'screens-actions' },
        shell === 'web' && 'getScreenDetails' in window ? button(t('wall.screens.detect'), { 'data-testid': 'screens-detect' }, () => void load(true)) : '',
        button(t('wall.screens.apply'), { 'data-testid': 'screens-apply', class: 'active' }, () => void apply()),
      ),
    );
  };

  const apply = async (): Promise<void> => {
    const screens = displays.flatMap((d) => {
      const c = choices.get(d.id)!;
      return c.screen === 'none' ? [] : [{ displayId: d.id, bounds: d.bounds, screen: c.screen, fullscreen: c.fullscreen || c.kiosk, kiosk: c.kiosk }];
    });
    if (!screens.length) return;
    const layout: WallLayout = { format: 'redwall-wall/1', screens };
    try {
      const plans = await bridge.applyWallLayout(layout);
      void store.command({ type: 'wallLayout', op: 'apply', screens: plans.map((p) => p.screen) });
      msg.textContent = [
        t('wall.screens.applied', { n: plans.length }),
        ...plans.filter((p) => p.fallback).map((p) => t('wall.screens.fallback', { screen: t(`wall.screen.${p.screen}`) })),
      ].join(' · ');
      msg.dataset['applied'] = String(plans.length);
    } catch (e) {
      msg.textContent = t('wall.screens.failed', { error: (e as Error).message });
    }
  };

  const load = async (detect: boolean): Promise<void> => {
    try {
      displays = await bridge.listDisplays(detect);
      const saved = (await bridge.getWallLayout()).layout;
      const base = saved ?? defaultWallLayout(displays);
      choices.clear();
      for (const d of displays) {
        const s = base.screens.find((x) => x.displayId === d.id);
        choices.set(d.id, s ? { screen: s.screen, fullscreen: s.fullscreen, kiosk: s.kiosk } : { screen: 'none', fullscreen: true, kiosk: false });
      }
      // the display this window is on always shows something
      if (displays.length === 1 && choices.get(displays[0]!.id)!.screen === 'none') choices.get(displays[0]!.id)!.screen = store.ui.screen;
      render();
    } catch (e) {
      msg.textContent = t('wall.screens.failed', { error: (e as Error).message });
    }
  };
  await load(false);
}
