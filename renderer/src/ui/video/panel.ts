/**
 * The camera pop-up in the console (a camera clicked on the map, or the camera an SOS turned): one live tile — the
 * camera's stream from the registry, or the demo's generated picture where it has no URL — with "to wall" and
 * "snapshot" (attached to the selected alarm).
 */
import { autorun, type IReactionDisposer } from 'mobx';
import { fmtTime, t } from '../../i18n.ts';
import type { CameraSnapshot } from '../../../../data-pipelines/contracts/events.ts';
import type { RootStore } from '../../stores/root.ts';
import { button, h } from '../dom.ts';
import { LiveTile } from './live-tile.ts';
import { healthReporter, tileSource } from './wall.ts';

export class VideoPanel {
  readonly el: HTMLElement;
  readonly tile: LiveTile;
  private readonly relabel: IReactionDisposer;

  constructor(
    store: RootStore,
    cameraId: string,
    heading: number,
    onClose: () => void,
    /** read in a reaction: the heading follows a language switch while the panel is open */
    title: () => string = () => t('video'),
  ) {
    const source = { ...tileSource(store, cameraId), heading };
    this.tile = new LiveTile({ source, onHealth: healthReporter(store) });
    const close = h('button', { class: 'close', 'data-testid': 'video-close' }, '×'); // i18n-exempt: close glyph
    close.onclick = onClose;
    const heading2 = h('span', {});
    const tools = h('div', { class: 'video-tools' });
    this.el = h('section', { class: 'video-panel', 'data-testid': 'video-panel', 'data-camera': cameraId }, h('h2', {}, heading2, close), this.tile.el, tools);
    this.relabel = autorun(() => {
      heading2.textContent = `${title()} · ${source.name}`;
      close.title = t('close');
      close.setAttribute('aria-label', t('close'));
      tools.replaceChildren(
        button(t('video.sendToWall'), { 'data-testid': 'video-to-wall' }, () => {
          const free = store.video.tiles.findIndex((x) => x.cameraId === null && !x.pinned);
          const slot = free >= 0 ? free : store.video.tiles.findIndex((x) => !x.pinned);
          if (slot >= 0) void store.command({ type: 'videoWall', cmd: { op: 'assign', tile: slot, cameraId } });
        }),
        button(t('video.snapshot'), { 'data-testid': 'video-snapshot' }, () => void store.snapshot(cameraId, this.tile.snapshot())),
      );
    });
  }

  destroy(): void {
    this.relabel();
    this.tile.destroy();
    this.el.remove();
  }
}

/** The journaled snapshots attached to an alarm or a citizen request (oldest first), each a link to its picture. */
export function snapshotLinks(store: RootStore, of: { alarmId: string } | { requestId: string }): HTMLElement[] {
  void store.live.versions.camera;
  const mine = [...store.live.world.byStream.camera.values()].filter(
    (e): e is CameraSnapshot => e.kind === 'camera.snapshot' && ('alarmId' in of ? e.alarmId === of.alarmId : e.requestId === of.requestId),
  );
  return mine.map((sn) =>
    button(
      t('video.snapshotOf', { camera: store.video.registry.get(sn.cameraId)?.name ?? sn.cameraId, time: fmtTime(sn.ts), by: sn.by }),
      { 'data-testid': 'snapshot-link', 'data-snapshot': sn.snapshotId, class: 'link' },
      () => void showSnapshot(store, sn.snapshotId),
    ),
  );
}

/** Shows a journaled snapshot's picture (fetched from the feed server) over the screen until closed. */
export async function showSnapshot(store: RootStore, snapshotId: string): Promise<void> {
  if (!store.sink) return;
  const ans = await store.sink.call('video', { op: 'snapshot-get', snapshotId }).catch((e: unknown) => ({ ok: false as const, error: (e as Error).message }));
  const box = h('div', { class: 'snapshot-view', 'data-testid': 'snapshot-view', role: 'dialog' });
  const close = button('×', { class: 'close', title: t('close'), 'aria-label': t('close') }, () => {
    box.remove();
    if (url) URL.revokeObjectURL(url);
  }); // i18n-exempt: close glyph
  let url: string | null = null;
  if (ans.ok && 'jpeg' in ans) {
    const bin = atob(ans.jpeg);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    url = URL.createObjectURL(new Blob([bytes], { type: 'image/jpeg' }));
    box.append(h('h2', {}, snapshotId, close), h('img', { src: url, alt: snapshotId }));
  } else box.append(h('h2', {}, snapshotId, close), h('p', { class: 'warn' }, ans.ok ? '' : ans.error));
  document.body.append(box);
}
