/**
 * Issue 17.3: every live layer is a folder that owns its id, default visibility and pick hook, registered once in
 * layers/registry.ts; both views ask the registry who owns a clicked object (pickOwner) instead of matching id
 * prefixes themselves; no layer folder imports another (shared pieces live in layers/shared/).
 */
import { relative, resolve, sep } from 'node:path';
import { runInAction } from 'mobx';
import { describe, expect, it } from 'vitest';
import { FLOOR_HEIGHT_M } from '../../data-pipelines/indoor/layout.ts';
import { importGraph } from '../../scripts/import-circles.ts';
import { isAlarmId } from '../../renderer/src/layers/alarms/format.ts';
import { FIRE_COLORS as FIRE_COLORS_OF_FIRE } from '../../renderer/src/layers/fire/index.ts';
import { LIVE_LAYERS, pickOwner, type PickTarget } from '../../renderer/src/layers/registry.ts';
import { FIRE_COLORS } from '../../renderer/src/layers/shared/fire-colors.ts';
import { EXPLODE, floorBase, heightOnFloor, SLAB_M } from '../../renderer/src/layers/shared/floors.ts';
import { sensorLabel } from '../../renderer/src/layers/shared/sensors.ts';
import { ALL_LAYERS, BASE_LAYER_IDS } from '../../renderer/src/stores/layer-ids.ts';
import { RootStore } from '../../renderer/src/stores/root.ts';

const repoRoot = resolve(import.meta.dirname, '../..');

/** A real store with one detector (building 42, floor 3) and two wells. */
function storeWithEntities(): RootStore {
  const store = new RootStore();
  store.entities.detectors.set('SD-0042-03-01', { id: 'SD-0042-03-01', buildingId: 42, floor: 3, lon: 116.41, lat: 39.91 });
  store.entities.cameras.set('CAM-0007', { id: 'CAM-0007', lon: 116.41, lat: 39.91, heading: 0, fov: 60, rangeM: 100 });
  store.entities.wells = {
    ids: ['MH-00001', 'MH-00002'],
    kinds: ['sewer', 'rain'],
    lon: Float64Array.of(116.401, 116.402),
    lat: Float64Array.of(39.901, 39.902),
    index: new Map([
      ['MH-00001', 0],
      ['MH-00002', 1],
    ]),
  };
  return store;
}

const owner = (target: PickTarget, store = storeWithEntities()) => {
  const hit = pickOwner(target, store);
  return hit ? { layer: hit.layer.id, command: hit.command } : null;
};

describe('live layer registry', () => {
  it('every layer has a unique id, its default visibility and a pick hook; the stores list the same ids and defaults', () => {
    const ids = LIVE_LAYERS.map((l) => l.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const l of LIVE_LAYERS) {
      expect(typeof l.defaultVisible, l.id).toBe('boolean');
      expect(l.defaultVisible, l.id).toBe(ALL_LAYERS[l.id]);
      expect(typeof l.pick, l.id).toBe('function');
      expect(typeof l.legend, l.id).toBe('function');
      expect(l.labelKey, l.id).not.toBe('');
    }
    // every id the stores know is either a base layer drawn by the views or exactly one registered folder
    const base: readonly string[] = BASE_LAYER_IDS;
    expect(
      Object.keys(ALL_LAYERS)
        .filter((id) => !base.includes(id))
        .sort(),
    ).toEqual([...ids].sort());
    expect(ids.some((id) => base.includes(id))).toBe(false);
  });

  it('a 3D pick resolves alarm, camera, cell, site, detector and well ids to the layer that drew them', () => {
    expect(owner({ view: '3d', id: 'AL-000123' })).toEqual({ layer: 'alarms', command: { type: 'selectAlarm', alarmId: 'AL-000123' } });
    expect(owner({ view: '3d', id: 'CAM-0007' })).toEqual({ layer: 'cameras', command: { type: 'openVideo', cameraId: 'CAM-0007' } });
    expect(owner({ view: '3d', id: 'cell:r12c7' })).toEqual({ layer: 'analysis', command: { type: 'analysis', cmd: { op: 'selectCell', cellId: 'r12c7' } } });
    expect(owner({ view: '3d', id: 'site:S3' })).toEqual({ layer: 'analysis', command: { type: 'analysis', cmd: { op: 'selectSite', siteId: 'S3' } } });
    expect(owner({ view: '3d', id: 'SD-0042-03-01' })).toEqual({ layer: 'fire', command: { type: 'selectBuilding', buildingId: 42 } });
    expect(owner({ view: '3d', id: 'MH-00002' })).toEqual({ layer: 'manholes', command: { type: 'focus', lon: 116.402, lat: 39.902, what: 'MH-00002' } });
  });

  it('a 3D id no layer owns resolves to null (the view then deselects)', () => {
    for (const id of ['', 'XYZ-1', 'elderly:G1', 'gridwork:G1', 'floor-42-3', 'SD-9999-01-01', 'MH-99999', 'al-1', 'cam-1', 'cell', 'RQ-0001'])
      expect(owner({ view: '3d', id }), id).toBeNull();
    // ids are only owned while the entity is known: an empty store owns no detector or well
    expect(owner({ view: '3d', id: 'SD-0042-03-01' }, new RootStore())).toBeNull();
    expect(owner({ view: '3d', id: 'MH-00001' }, new RootStore())).toBeNull();
  });

  it('a 2D pick resolves by the deck.gl layer and its datum', () => {
    expect(owner({ view: '2d', layerId: 'alarms', object: { id: 'AL-000001' } })).toEqual({
      layer: 'alarms',
      command: { type: 'selectAlarm', alarmId: 'AL-000001' },
    });
    expect(owner({ view: '2d', layerId: 'cameras', object: { id: 'CAM-0001' } })).toEqual({
      layer: 'cameras',
      command: { type: 'openVideo', cameraId: 'CAM-0001' },
    });
    expect(owner({ view: '2d', layerId: 'requests', object: { id: 'RQ-20260101-0001' } })).toEqual({
      layer: 'requests',
      command: { type: 'selectRequest', requestId: 'RQ-20260101-0001' },
    });
    expect(owner({ view: '2d', layerId: 'fire', object: { id: 'SD-0042-03-01' } })).toEqual({
      layer: 'fire',
      command: { type: 'selectBuilding', buildingId: 42 },
    });
    // all wells are drawn by index, the abnormal ones as { wellId }
    expect(owner({ view: '2d', layerId: 'manholes-all', object: 0 })).toEqual({
      layer: 'manholes',
      command: { type: 'focus', lon: 116.401, lat: 39.901, what: 'MH-00001' },
    });
    expect(owner({ view: '2d', layerId: 'manholes-active', object: { wellId: 'MH-00002' } })).toEqual({
      layer: 'manholes',
      command: { type: 'focus', lon: 116.402, lat: 39.902, what: 'MH-00002' },
    });
    expect(owner({ view: '2d', layerId: 'analysis-cells', object: { id: 'r1c2' } })).toEqual({
      layer: 'analysis',
      command: { type: 'analysis', cmd: { op: 'selectCell', cellId: 'r1c2' } },
    });
    expect(owner({ view: '2d', layerId: 'analysis-sites', object: { siteId: 'S1' } })).toEqual({
      layer: 'analysis',
      command: { type: 'analysis', cmd: { op: 'selectSite', siteId: 'S1' } },
    });
  });

  it('a 2D pick no layer owns resolves to null', () => {
    expect(owner({ view: '2d', layerId: 'elderly-density', object: { id: 'G1' } })).toBeNull();
    expect(owner({ view: '2d', layerId: 'imported-7', object: { type: 'Feature' } })).toBeNull();
    expect(owner({ view: '2d', layerId: 'care', object: { id: 'W-001' } })).toBeNull();
    expect(owner({ view: '2d', layerId: 'alarms', object: null })).toBeNull();
    expect(owner({ view: '2d', layerId: 'manholes-all', object: 99 })).toBeNull();
    expect(owner({ view: '2d', layerId: 'fire', object: { id: 'SD-9999-01-01' } })).toBeNull();
    // a point layer claims only its own deck.gl layer's points, whatever the id looks like
    expect(owner({ view: '2d', layerId: 'evacuation-markers', object: { id: 'AL-000001' } })).toBeNull();
  });

  it('no layer folder imports another layer folder', () => {
    const layersDir = resolve(repoRoot, 'renderer/src/layers');
    const folderOf = (file: string) => {
      const parts = relative(layersDir, file).split(sep);
      return parts.length > 1 && !parts[0]!.startsWith('..') ? parts[0]! : null;
    };
    const graph = importGraph(repoRoot, ['renderer/src']);
    const folders = new Set(LIVE_LAYERS.map((l) => l.id));
    expect(graph.size).toBeGreaterThan(50);
    const crossings: string[] = [];
    for (const [from, tos] of graph) {
      const a = folderOf(from);
      if (!a || a === 'shared') continue;
      for (const to of tos) {
        const b = folderOf(to);
        if (b && b !== a && b !== 'shared') crossings.push(`${relative(repoRoot, from)} -> ${relative(repoRoot, to)}`);
      }
    }
    expect(crossings).toEqual([]);
    // the folders looked at are the layers' own (parking-analysis holds the 'analysis' layer)
    expect(folders.has('alarms') && folders.has('analysis')).toBe(true);
  });
});

describe('layers/shared (pieces several layers use)', () => {
  it('floorBase: true storey heights, or peeled apart by EXPLODE', () => {
    expect(floorBase(1, false)).toBe(0);
    expect(floorBase(4, false)).toBeCloseTo(3 * FLOOR_HEIGHT_M);
    expect(floorBase(4, true)).toBeCloseTo(3 * FLOOR_HEIGHT_M * EXPLODE);
  });

  it('heightOnFloor follows the floors only for the peeled building', () => {
    const store = new RootStore();
    expect(heightOnFloor(store, 42, 3)).toBeCloseTo(2 * FLOOR_HEIGHT_M + FLOOR_HEIGHT_M / 2);
    runInAction(() => (store.ui.explodedBuildingId = 42));
    expect(heightOnFloor(store, 42, 3)).toBeCloseTo(2 * FLOOR_HEIGHT_M * EXPLODE + SLAB_M / 2);
    expect(heightOnFloor(store, 7, 3)).toBeCloseTo(2 * FLOOR_HEIGHT_M + FLOOR_HEIGHT_M / 2);
    expect(heightOnFloor(store, undefined, 3)).toBeCloseTo(2 * FLOOR_HEIGHT_M + FLOOR_HEIGHT_M / 2);
  });

  it('sensor names come from the catalog in both languages; fire colours are one table', () => {
    expect(sensorLabel('gas', 'en')).not.toBe(sensorLabel('gas', 'zh-CN'));
    expect(sensorLabel('gas', 'en')).not.toContain('alarms.sensor');
    expect(FIRE_COLORS_OF_FIRE).toBe(FIRE_COLORS);
    expect(isAlarmId('AL-000001')).toBe(true);
    expect(isAlarmId('CAM-0001')).toBe(false);
  });
});
