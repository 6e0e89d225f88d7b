/**
 * The video wall: a 1/4/9/16 grid of live tiles (its own screen, ?screen=video, and a panel over the console map),
 * a camera list to drag from (or click, then click a tile), per-tile pin / clear / retry / snapshot. The tiles
 * follow VideoWallStore; a tile's player lives as long as its camera stays on that tile.
 */
import { autorun, reaction, type IReactionDisposer } from 'mobx';
import { t } from '../../i18n.ts';
import type { RootStore } from '../../stores/root.ts';
import { GRID_SIZES } from '../../video/wall-logic.ts';
import { button, h } from '../dom.ts';
import { LiveTile, type TileSource } from './live-tile.ts';

/** A camera as a tile plays it: the registry's record (stream URLs) or the demo entity (generated picture). */
export function tileSource(store: RootStore, cameraId: string): TileSource {
  const r = store.video.registry.get(cameraId);
  if (r) return { cameraId, name: r.name, streams: r.streams, heading: r.heading };
  const e = store.entities.cameras.get(cameraId);
  return { cameraId, name: cameraId, streams: {}, heading: e?.heading ?? 0 };
}

/** Reports a player's health to the store and (when connected) to the feed server, which raises the outage. */
export function healthReporter(store: RootStore): (cameraId: string, health: 'ok' | 'down' | 'unsupported', detail: string) => void {
  return (cameraId, health, detail) => store.reportStreamHealth(cameraId, health, detail);
}

export interface VideoWallView {
  el: HTMLElement;
  /** the live tile on a grid position (tests, snapshots, benchmark) */
  tile(i: number): LiveTile | null;
  destroy(): void;
}

export function mountVideoWall(store: RootStore, opts: { full: boolean }): VideoWallView {
  const disposers: IReactionDisposer[] = [];
  const grid = h('div', { class: 'vw-grid', 'data-testid': 'video-wall-grid' });
  const sizes = h('nav', { class: 'vw-sizes' });
  const filter = h('input', { type: 'search', class: 'vw-filter', 'data-testid': 'vw-filter' });
  const list = h('ul', { class: 'vw-cameras', 'data-testid': 'vw-cameras' });
  const note = h('p', { class: 'legend-note', 'data-testid': 'vw-note' });
  const title = h('h2', {});
  const side = h('aside', { class: 'vw-side' }, filter, list, note);
  const el = h(
    'section',
    { class: `video-wall${opts.full ? ' video-wall-full' : ''}`, 'data-testid': 'video-wall' },
    h('header', { class: 'vw-head' }, title, sizes),
    h('div', { class: 'vw-body' }, side, grid),
  );
  /** the camera picked in the list, waiting for a tile click (touch screens, no drag) */
  let picked: string | null = null;
  const players: Array<{ cameraId: string; tile: LiveTile } | null> = [];
  const cells: HTMLElement[] = [];

  const send = (tile: number, cameraId: string | null) => void store.command({ type: 'videoWall', cmd: { op: 'assign', tile, cameraId } });

  disposers.push(
    autorun(() => {
      title.textContent = t('video.wall');
      filter.placeholder = t('video.filter');
      sizes.replaceChildren(
        ...GRID_SIZES.map((n) =>
          button(
            String(n),
            { class: store.video.grid === n ? 'active' : '', 'data-testid': `vw-grid-${n}`, title: t('video.gridTitle', { n }) },
            () => void store.command({ type: 'videoWall', cmd: { op: 'grid', n } }),
          ),
        ),
      );
      const err = store.video.registryError;
      note.textContent = err ? t('video.registryError', { error: err }) : t('video.wallHint', { n: store.video.registry.size });
    }),
  );

  // the camera list: the registry's cameras first (they have streams), then the demo district's
  const renderList = () => {
    const q = filter.value.trim().toLowerCase();
    const reg = [...store.video.registry.values()].map((c) => ({ id: c.id, name: c.name, live: true }));
    const demo = [...store.entities.cameras.keys()].filter((id) => !store.video.registry.has(id)).map((id) => ({ id, name: id, live: false }));
    const all = [...reg, ...demo].filter((c) => !q || c.id.toLowerCase().includes(q) || c.name.toLowerCase().includes(q));
    list.replaceChildren(
      ...all.slice(0, 200).map((c) => {
        const health = store.video.health.get(c.id)?.health;
        const li = h(
          'li',
          {
            draggable: true,
            'data-camera': c.id,
            'data-testid': 'vw-camera',
            class: `${c.live ? 'live' : 'demo'}${picked === c.id ? ' picked' : ''}${health ? ` h-${health}` : ''}`,
          },
          c.name === c.id ? c.id : `${c.name} · ${c.id}`,
        );
        li.ondragstart = (e) => e.dataTransfer?.setData('text/x-redwall-camera', c.id);
        li.onclick = () => {
          picked = picked === c.id ? null : c.id;
          renderList();
        };
        return li;
      }),
    );
  };
  filter.oninput = renderList;
  disposers.push(
    reaction(
      () => [store.video.registry, store.video.health.size, store.ui.locale] as const,
      () => renderList(),
      { fireImmediately: true },
    ),
  );

  const cellFor = (i: number): HTMLElement => {
    const holder = h('div', { class: 'vw-player' });
    const tools = h('div', { class: 'vw-tools' });
    const cell = h('div', { class: 'vw-cell', 'data-testid': 'vw-cell', 'data-tile': i }, holder, tools);
    cell.ondragover = (e) => e.preventDefault();
    cell.ondrop = (e) => {
      e.preventDefault();
      const id = e.dataTransfer?.getData('text/x-redwall-camera');
      if (id) send(i, id);
    };
    cell.onclick = (e) => {
      if (picked && !(e.target as HTMLElement).closest('button')) {
        send(i, picked);
        picked = null;
        renderList();
      }
    };
    return cell;
  };

  disposers.push(
    autorun(() => {
      const tiles = store.video.tiles;
      const n = store.video.grid;
      grid.dataset.n = String(n);
      grid.style.gridTemplateColumns = `repeat(${Math.sqrt(n)}, 1fr)`;
      while (cells.length < n) cells.push(cellFor(cells.length));
      // players beyond the grid go away
      for (let i = n; i < players.length; i++) {
        players[i]?.tile.destroy();
        players[i] = null;
      }
      grid.replaceChildren(...cells.slice(0, n));
      tiles.forEach((tile, i) => {
        const cell = cells[i]!;
        const holder = cell.firstElementChild as HTMLElement;
        const tools = cell.lastElementChild as HTMLElement;
        const cur = players[i];
        if (cur && cur.cameraId !== tile.cameraId) {
          cur.tile.destroy();
          players[i] = null;
        }
        if (tile.cameraId && !players[i]) {
          const lt = new LiveTile({ source: tileSource(store, tile.cameraId), onHealth: healthReporter(store) });
          players[i] = { cameraId: tile.cameraId, tile: lt };
          holder.replaceChildren(lt.el);
        }
        if (!tile.cameraId) holder.replaceChildren(h('div', { class: 'vw-empty' }, t('video.emptyTile')));
        cell.classList.toggle('pinned', tile.pinned);
        cell.classList.toggle('by-alarm', tile.by !== null && tile.by !== 'operator');
        cell.dataset.camera = tile.cameraId ?? '';
        const p = players[i]?.tile;
        tools.replaceChildren(
          button(
            tile.pinned ? t('video.unpin') : t('video.pin'),
            { 'data-testid': 'vw-pin', class: tile.pinned ? 'active' : '' },
            () => void store.command({ type: 'videoWall', cmd: { op: 'pin', tile: i, pinned: !tile.pinned } }),
          ),
          ...(tile.cameraId
            ? [
                button(t('video.retry'), { 'data-testid': 'vw-retry' }, () => p?.retry()),
                button(t('video.snapshot'), { 'data-testid': 'vw-snapshot' }, () => void (p && store.snapshot(tile.cameraId!, p.snapshot()))),
                button('×', { 'data-testid': 'vw-clear', title: t('video.clearTile'), 'aria-label': t('video.clearTile') }, () => send(i, null)), // i18n-exempt: close glyph
              ]
            : []),
        );
      });
    }),
  );

  return {
    el,
    tile: (i) => players[i]?.tile ?? null,
    destroy() {
      disposers.forEach((d) => d());
      players.forEach((p) => p?.tile.destroy());
      el.remove();
    },
  };
}

/**
 * The video wall as a panel over the console map (top-bar button): its players run only while it is open. An alarm
 * that puts cameras on the wall opens it.
 */
export function mountVideoWallPanel(store: RootStore, stage: HTMLElement): { toggle: HTMLElement; unmount: () => void } {
  const holder = h('div', { class: 'video-wall-panel', 'data-testid': 'video-wall-panel', hidden: true });
  stage.append(holder);
  const toggle = h('button', { class: 'video-wall-toggle', 'data-testid': 'video-wall-toggle' });
  toggle.onclick = () => void store.command({ type: 'videoWallPanel', open: !store.ui.videoWallOpen });
  let view: VideoWallView | null = null;
  const disposers = [
    autorun(() => {
      toggle.textContent = t('video.openWall');
      toggle.classList.toggle('active', store.ui.videoWallOpen);
    }),
    autorun(() => {
      const open = store.ui.videoWallOpen && store.ui.screen === 'console';
      holder.hidden = !open;
      if (open && !view) {
        view = mountVideoWall(store, { full: false });
        const close = button(
          '×',
          { class: 'close', title: t('close'), 'aria-label': t('close'), 'data-testid': 'video-wall-close' },
          () => void store.command({ type: 'videoWallPanel', open: false }),
        ); // i18n-exempt: close glyph
        view.el.querySelector('.vw-head')?.append(close);
        holder.replaceChildren(view.el);
      } else if (!open && view) {
        view.destroy();
        view = null;
      }
    }),
  ];
  return {
    toggle,
    unmount() {
      disposers.forEach((d) => d());
      view?.destroy();
      holder.remove();
    },
  };
}

/** Alarm categories whose cameras go on the wall by themselves: SOS posts (camera), fires, care calls. */
const AUTO_WALL: ReadonlySet<string> = new Set(['camera', 'fire', 'care']);

/**
 * A newly raised SOS, fire or care alarm puts the cameras the feed server chose for it (those that see the place,
 * best first) on the wall's unpinned tiles, through an audited command. Live alarms only (not a replay), and only
 * when just received (a reconnect's backlog does not reshuffle the wall).
 */
export function startAutoWall(store: RootStore): () => void {
  return reaction(
    () => store.realLive.notices[0],
    (n) => {
      // an escalation (an overdue SOP step) is toasted, not a reason to reshuffle the wall
      if (!n || n.kind !== 'raise' || Date.now() - n.receivedAt > 5_000) return;
      const a = n.alarm;
      const cams = (a.cameras ?? []).map((c) => c.id);
      if (!AUTO_WALL.has(a.category) || !cams.length) return;
      void store.command({ type: 'videoWall', cmd: { op: 'auto', alarmId: a.alarmId, cameraIds: cams.slice(0, 4) } });
    },
  );
}
