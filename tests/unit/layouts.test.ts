/** Saved layouts: the file format refuses what is not a layout, storage is per user, and capture → apply round-trips. */
import { configure } from 'mobx';
import { describe, expect, it } from 'vitest';
import { captureLayout, LayoutShelf, parseLayout } from '../../renderer/src/stores/layouts.ts';
import { UiStore } from '../../renderer/src/stores/ui-store.ts';

configure({ enforceActions: 'always' });

class MemStorage {
  readonly m = new Map<string, string>();
  getItem(k: string) {
    return this.m.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.m.set(k, v);
  }
}

const cams = {
  camera3d: { position: [-2_178_000, 4_388_000, 4_070_000] as [number, number, number], heading: 0.3, pitch: -0.6 },
  camera2d: { center: [116.45, 39.93] as [number, number], zoom: 15.2, bearing: 10, pitch: 30 },
};
const analysis = {
  metric: 'gap' as const,
  display: 'heatmap' as const,
  params: {
    lon0: 116.456,
    lat0: 39.9375,
    demandKind: 'resident' as const,
    demandSlot: 44,
    supplyMin: 840,
    cellKind: 'hex' as const,
    cellM: 200,
    walkM: 300,
    detour: 1.3,
  },
};

describe('saved layouts', () => {
  it('capture then apply restores view, workspace, layers, filters, language and cameras', () => {
    const ui = new UiStore();
    ui.dispatch({ type: 'setView', view: '2d' });
    ui.dispatch({ type: 'toggleLayer', layer: 'cameras', visible: true });
    ui.dispatch({ type: 'toggleLayer', layer: 'manholes', visible: false });
    ui.dispatch({ type: 'setAlarmFilter', filter: 'all' });
    ui.dispatch({ type: 'setAlarmCategory', category: 'fire' });
    ui.dispatch({ type: 'setLocale', locale: 'en' });
    const saved = captureLayout(ui, analysis, '  早班 morning  ', cams, 1_000);
    expect(saved.name).toBe('早班 morning');
    expect(saved.analysis?.params).not.toHaveProperty('lon0');
    expect(parseLayout(JSON.stringify(saved))).toEqual({ ok: true, layout: saved });

    const other = new UiStore();
    const parsed = parseLayout(JSON.stringify(saved));
    if (!parsed.ok) throw new Error(parsed.error);
    other.dispatch({ type: 'applyLayout', layout: parsed.layout });
    expect(other.view).toBe('2d');
    expect(other.layers).toEqual(ui.layers);
    expect([other.alarmFilter, other.alarmCategory, other.locale]).toEqual(['all', 'fire', 'en']);
    expect(other.cameraRequest).toMatchObject({ kind: 'exact', camera3d: cams.camera3d, camera2d: cams.camera2d });
    expect(other.audit.at(-1)!.command.type).toBe('applyLayout');
    other.dispatch({ type: 'setLocale', locale: 'zh-CN' });
  });

  it('refuses files that are not layouts, naming what is wrong', () => {
    expect(parseLayout('{', 'x.json', 'en')).toMatchObject({ ok: false, error: expect.stringMatching(/^x\.json: not JSON/) });
    expect(parseLayout('{', 'x.json', 'zh-CN')).toMatchObject({ ok: false, error: expect.stringMatching(/^x\.json：不是 JSON 文件/) });
    const ui = new UiStore();
    const good = captureLayout(ui, { metric: 'unmet', display: 'cells', params: null }, 'a', { camera3d: null, camera2d: null });
    const bad = {
      ...good,
      format: 'redwall-layout/9',
      camera2d: { center: [500, 39], zoom: 14, bearing: 0, pitch: 0 },
      layers: { ...good.layers, nope: true },
    };
    const r = parseLayout(JSON.stringify(bad), 'bad.json', 'en');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatch(/format/);
      expect(r.error).toMatch(/camera2d\.center\.0/);
      expect(r.error).toMatch(/layers/);
    }
  });

  it('keeps each user’s layouts apart, replaces by name, and survives a damaged entry', () => {
    const st = new MemStorage();
    const ui = new UiStore();
    const a = captureLayout(ui, { metric: 'unmet', display: 'cells', params: null }, 'A', { camera3d: null, camera2d: null }, 1);
    const b = { ...a, name: 'B' };
    const mine = new LayoutShelf(st, '值班员');
    mine.save(b);
    mine.save(a);
    mine.save({ ...a, savedAt: 2 });
    expect(mine.list().map((l) => [l.name, l.savedAt])).toEqual([
      ['A', 2],
      ['B', 1],
    ]);
    expect(new LayoutShelf(st, '规划员').list()).toEqual([]);
    st.setItem('redwall.layouts.v1.值班员', JSON.stringify([{ ...a, view: 'vr' }, b]));
    expect(mine.list().map((l) => l.name)).toEqual(['B']);
    mine.remove('B');
    expect(mine.list()).toEqual([]);
  });
});
