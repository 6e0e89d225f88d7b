import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseFeedEvent, type Draft } from '../../data-pipelines/contracts/events.ts';
import { SENSOR_SPECS, SENSORS_BY_WELL_KIND } from '../../data-pipelines/contracts/manhole.ts';
import { buildDistrict } from '../../data-pipelines/etl/build-district.ts';
import { loadEntities, type Entities } from '../../data-pipelines/feed/entities.ts';
import { DistrictSimulator } from '../../data-pipelines/feed/simulator.ts';

let e: Entities;
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'redwall-sim-'));
  buildDistrict(dir, () => undefined);
  e = loadEntities(dir);
});

function run(seed: number, ms = 600_000) {
  const sim = new DistrictSimulator(e, { seed, incidentEveryMs: 20_000 });
  const out: Draft[] = [];
  for (let t = 0; t <= ms; t += 250) out.push(...sim.tick(1_763_870_400_000 + t));
  return out;
}

describe('district simulator', () => {
  it('works at the real system scale', () => {
    expect(e.wells.length).toBeGreaterThan(17_000);
    expect(e.cameras.length).toBeGreaterThanOrEqual(2000); // + the SOS posts' domes
    expect(e.parking.filter((p) => p.kind === 'spot').length).toBe(5000);
    expect(e.detectors.length).toBeGreaterThan(e.wells.length); // every floor of every building
  });

  it('emits drafts that become contract-valid events for every stream, deterministically', () => {
    const a = run(5);
    expect(a).toEqual(run(5));
    expect(a).not.toEqual(run(6));
    const kinds = new Set(a.map((d) => d.kind));
    for (const k of ['manhole.reading', 'parking.occupancy', 'env.reading']) expect(kinds).toContain(k);
    a.forEach((d, i) => {
      const r = parseFeedEvent({ ...d, seq: i + 1, epoch: 'e', id: `e:${i}` });
      if (!r.ok) throw new Error(`${d.kind}: ${r.error}`);
    });
  });

  it('manhole readings use only the sensors fitted to that kind of well, within physical limits', () => {
    const kindOf = new Map(e.wells.map((w) => [w.id, w.kind]));
    for (const d of run(7, 300_000)) {
      if (d.kind !== 'manhole.reading') continue;
      expect(SENSORS_BY_WELL_KIND[kindOf.get(d.wellId)!]).toContain(d.sensor);
      expect(d.value).toBeGreaterThanOrEqual(SENSOR_SPECS[d.sensor].min);
      expect(d.value).toBeLessThanOrEqual(SENSOR_SPECS[d.sensor].max);
    }
  });

  it('incidents rise to alarm and return to normal', () => {
    const out = run(3, 900_000).filter((d) => d.kind === 'manhole.reading');
    const alarm = out.find((d) => d.kind === 'manhole.reading' && d.level === 'alarm');
    expect(alarm).toBeDefined();
    if (alarm?.kind !== 'manhole.reading') return;
    const later = out.slice(out.indexOf(alarm));
    expect(later.some((d) => d.kind === 'manhole.reading' && d.wellId === alarm.wellId && d.sensor === alarm.sensor && d.level === 'normal')).toBe(true);
  });

  it('injects every incident type and refuses unknown ids', () => {
    const sim = new DistrictSimulator(e, { incidentEveryMs: 0 });
    expect(sim.injectManhole(1, 'MH-00007', 'gas')[0]).toMatchObject({ level: 'alarm' });
    expect(sim.injectFire(1, undefined, 'fire')[0]).toMatchObject({ state: 'fire' });
    expect(sim.injectCare(1)[0]).toMatchObject({ reason: 'sos' });
    expect(sim.injectSos(1, 'SOS-001')[0]).toMatchObject({ kind: 'camera.sos' });
    expect(() => sim.injectManhole(1, 'MH-99999')).toThrow(/unknown well/);
    expect(() => sim.injectFire(1, 'SD-1-1-9')).toThrow(/unknown detector/);
  });
});
