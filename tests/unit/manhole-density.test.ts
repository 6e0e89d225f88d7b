/**
 * Issue 21 part 2: 18,000 manhole dots read as the road network from afar. Far out the normal wells are counted in
 * cells; every well is a dot only close up; abnormal wells are drawn as themselves at every zoom.
 */
import { observable, runInAction } from 'mobx';
import { describe, expect, it } from 'vitest';
import { aggregateWells, WELL_POINTS_FROM_ZOOM, wellCellM, wellCellRadiusPx } from '../../renderer/src/layers/manholes/format.ts';
import { createManholes2D } from '../../renderer/src/layers/manholes/layer2d.ts';
import { RootStore } from '../../renderer/src/stores/root.ts';
import { M_PER_DEG_LAT, mPerDegLon } from '../../data-pipelines/geo/measure.ts';

describe('manholes counted in cells far out', () => {
  it('counts every well with a position once, at the mean of its cell', () => {
    // three wells within 40 m around a 150 m cell's centre, one 1 km east, one without a position
    // a cell's centre (the grid's longitude step is taken at the wells' mean latitude, which is y0 here)
    const y0 = (Math.floor(39.93 / (150 / M_PER_DEG_LAT)) + 0.5) * (150 / M_PER_DEG_LAT);
    const dLon = 1 / mPerDegLon(y0); // 1 m of longitude
    const x0 = (Math.floor(116.45 / (150 * dLon)) + 0.5) * 150 * dLon;
    const lon = [x0 - 20 * dLon, x0, x0 + 20 * dLon, x0 + 1000 * dLon, Number.NaN];
    const lat = [y0 - 0.0001, y0, y0 + 0.0001, y0, y0];
    const cells = aggregateWells(lon, lat, 150);
    expect(cells).toHaveLength(2);
    expect(cells.reduce((n, c) => n + c.count, 0)).toBe(4);
    const big = cells.find((c) => c.count === 3)!;
    expect(big.lon).toBeCloseTo(x0, 9);
    expect(big.lat).toBeCloseTo(y0, 9);
    // the lone well keeps its own position
    expect(cells.find((c) => c.count === 1)).toEqual({ lon: lon[3], lat: lat[3], count: 1 });
  });

  it('cells are the stated size: a regular lattice of wells every 10 m gives full cells of (size/10)² wells', () => {
    const lat0 = 39.93;
    const mLon = 1 / mPerDegLon(lat0);
    const mLat = 1 / M_PER_DEG_LAT;
    const lon: number[] = [];
    const lat: number[] = [];
    for (let i = 0; i < 120; i++)
      for (let j = 0; j < 120; j++) {
        lon.push(116.4 + (i * 10 + 5) * mLon);
        lat.push(lat0 + (j * 10 + 5) * mLat);
      }
    const cells = aggregateWells(lon, lat, 200);
    expect(cells.reduce((n, c) => n + c.count, 0)).toBe(120 * 120);
    // a 200 m cell holds at most 20 × 20 wells (cells at the lattice's edge hold fewer); interior ones are full
    const counts = cells.map((c) => c.count);
    expect(Math.max(...counts)).toBe(400);
    expect(counts.filter((c) => c === 400).length).toBeGreaterThan(10);
  });

  it('no wells, or none with a position: no cells; a cell size that is no size is refused', () => {
    expect(aggregateWells([], [], 150)).toEqual([]);
    expect(aggregateWells([Number.NaN], [39.9], 150)).toEqual([]);
    expect(() => aggregateWells([116.4], [39.9], 0)).toThrow(/cell size/);
    expect(() => aggregateWells([116.4], [39.9], Number.NaN)).toThrow(/cell size/);
  });

  it('cells double in size for each zoom step out; dots grow with the square root of the count', () => {
    expect(wellCellM(14)).toBe(150);
    expect(wellCellM(13)).toBe(300);
    expect(wellCellM(11)).toBe(1200);
    expect(wellCellRadiusPx(0, 100)).toBe(0);
    expect(wellCellRadiusPx(100, 100)).toBe(11);
    expect(wellCellRadiusPx(25, 100)).toBeCloseTo(2.5 + 8.5 * 0.5, 9);
    expect(wellCellRadiusPx(1, 100)).toBeGreaterThan(2.5);
    expect(wellCellRadiusPx(1000, 100)).toBe(11); // clamped
  });

  it('the 2D layer: cells below zoom 15, every well from zoom 15; the abnormal wells are drawn at every zoom', () => {
    const store = new RootStore();
    const n = 500;
    store.entities.wells = {
      ids: Array.from({ length: n }, (_, i) => `MH-${String(i).padStart(5, '0')}`),
      kinds: Array.from({ length: n }, () => 'sewer'),
      lon: Float64Array.from({ length: n }, (_, i) => 116.44 + (i % 25) * 0.001),
      lat: Float64Array.from({ length: n }, (_, i) => 39.92 + Math.floor(i / 25) * 0.001),
      index: new Map(Array.from({ length: n }, (_, i) => [`MH-${String(i).padStart(5, '0')}`, i] as const)),
    };
    // one well in alarm, one with a warning
    const reading = (seq: number, wellId: string, level: 'warning' | 'alarm') =>
      ({
        stream: 'manhole',
        seq,
        epoch: 'e1',
        ts: 1_763_000_000_000,
        id: `e1:manhole:${seq}`,
        kind: 'manhole.reading',
        wellId,
        sensor: 'gas',
        value: 30,
        unit: '%LEL',
        level,
      }) as const;
    store.live.applyBatch([reading(1, 'MH-00007', 'alarm'), reading(2, 'MH-00300', 'warning')]);
    const zoom = observable.box(12);
    const r = createManholes2D({ store, zoomStep: () => zoom.get() });
    const ids = () => r.deckLayers().map((l) => l.id);
    const abnormal = () =>
      (r.deckLayers().find((l) => l.id === 'manholes-active')!.props.data as Array<{ wellId: string; level: string }>)
        .map((w) => `${w.wellId}:${w.level}`)
        .sort();
    expect(ids()).toEqual([`manholes-cells-${wellCellM(12)}`, 'manholes-active-halo', 'manholes-active']);
    expect(abnormal()).toEqual(['MH-00007:alarm', 'MH-00300:warning']);
    const far = r.revision();
    const cellData = r.deckLayers()[0]!.props.data as Array<{ count: number }>;
    expect(cellData.reduce((a, c) => a + c.count, 0)).toBe(n);
    expect(cellData.length).toBeLessThan(n);
    runInAction(() => zoom.set(WELL_POINTS_FROM_ZOOM));
    expect(ids()).toEqual(['manholes-all', 'manholes-active-halo', 'manholes-active']);
    expect(r.revision()).not.toEqual(far); // the view redraws when the step changes
    expect((r.deckLayers()[0]!.props.data as unknown[]).length).toBe(n);
    expect(abnormal()).toEqual(['MH-00007:alarm', 'MH-00300:warning']);
    // a step further in or out within the same band keeps the same layers (no redraw for nothing)
    const close = r.revision();
    runInAction(() => zoom.set(WELL_POINTS_FROM_ZOOM + 2));
    expect(r.revision()).toEqual(close);
    r.setVisible(false);
    expect(r.deckLayers()).toEqual([]);
    r.destroy();
  });
});
