import { describe, expect, it } from 'vitest';
import { MAX_EVENT_BYTES, parseFeedEvent, type ManholeReading } from '../../data-pipelines/contracts/events.ts';
import { classifyReading } from '../../data-pipelines/contracts/manhole.ts';
import { rng } from '../../data-pipelines/etl/district.ts';

const valid: ManholeReading = {
  stream: 'manhole',
  seq: 7,
  epoch: 'e1',
  ts: 1_763_000_000_000,
  id: 'e1:manhole:7',
  kind: 'manhole.reading',
  wellId: 'MH-00042',
  sensor: 'gas',
  value: 22.5,
  unit: '%LEL',
  level: 'alarm',
};

describe('event contract', () => {
  it('accepts a valid event, as object or JSON text', () => {
    expect(parseFeedEvent(valid)).toEqual({ ok: true, value: valid });
    expect(parseFeedEvent(JSON.stringify(valid))).toEqual({ ok: true, value: valid });
  });

  it.each([
    ['NaN value', { ...valid, value: Number.NaN }],
    ['Infinity ts', { ...valid, ts: Number.POSITIVE_INFINITY }],
    ['negative seq', { ...valid, seq: -1 }],
    ['fractional seq', { ...valid, seq: 1.5 }],
    ['string value', { ...valid, value: '22.5' }],
    ['unknown kind', { ...valid, kind: 'manhole.explode' }],
    ['unknown sensor', { ...valid, sensor: 'radiation' }],
    ['bad well id', { ...valid, wellId: 'MH-1; DROP TABLE' }],
    ['missing envelope id', { ...valid, id: undefined }],
    ['empty epoch', { ...valid, epoch: '' }],
    ['extra field', { ...valid, extra: 1 }],
    ['wrong stream', { ...valid, stream: 'parking' }],
    ['zero seq', { ...valid, seq: 0 }],
    ['unknown unit', { ...valid, unit: 'furlongs' }],
    ['null', null],
    ['array', [valid]],
    ['number', 42],
  ])('rejects %s with a reason', (_name, ev) => {
    const r = parseFeedEvent(ev);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.length).toBeGreaterThan(3);
  });

  it('rejects oversize payloads before parsing them', () => {
    const huge = { ...valid, id: 'x'.repeat(MAX_EVENT_BYTES) };
    expect(parseFeedEvent(huge)).toMatchObject({ ok: false, error: expect.stringContaining('larger than') });
    expect(parseFeedEvent(JSON.stringify(huge))).toMatchObject({ ok: false, error: expect.stringContaining('larger than') });
    expect(parseFeedEvent('{not json')).toMatchObject({ ok: false, error: expect.stringContaining('unparseable') });
  });

  it('never throws on 5,000 randomly mutated events', () => {
    const rand = rng(99);
    const junk: unknown[] = [null, undefined, '', 'x', -1, 1e308, Number.NaN, {}, [], true, { a: { b: {} } }, 'MH-00001'];
    const keys = Object.keys(valid);
    let rejected = 0;
    for (let i = 0; i < 5000; i++) {
      const ev: Record<string, unknown> = { ...valid };
      const n = 1 + Math.floor(rand() * 3);
      for (let k = 0; k < n; k++) ev[keys[Math.floor(rand() * keys.length)]!] = junk[Math.floor(rand() * junk.length)];
      const r = parseFeedEvent(ev);
      if (!r.ok) rejected++;
    }
    expect(rejected).toBeGreaterThan(4500);
  });

  it('classifies readings at the documented thresholds', () => {
    expect(classifyReading('gas', 9.9)).toBe('normal');
    expect(classifyReading('gas', 10)).toBe('warning');
    expect(classifyReading('gas', 20)).toBe('alarm');
    expect(classifyReading('level', 85)).toBe('alarm');
    expect(classifyReading('cover', 7.9)).toBe('normal');
    expect(() => classifyReading('cover', Number.NaN)).toThrow();
  });
});

describe('other streams', () => {
  const env = { seq: 1, epoch: 'e', ts: 1, id: 'e:1' };
  it('validates each event kind and rejects shape errors with the kind named', () => {
    expect(parseFeedEvent({ ...env, stream: 'parking', kind: 'parking.occupancy', placeId: 'RS-00001', occupied: 1, capacity: 1 }).ok).toBe(true);
    expect(parseFeedEvent({ ...env, stream: 'parking', kind: 'parking.occupancy', placeId: 'RS-00001', occupied: 2, capacity: 1 })).toMatchObject({
      ok: false,
      error: expect.stringContaining('exceeds capacity'),
    });
    expect(
      parseFeedEvent({ ...env, stream: 'fire', kind: 'fire.detector', detectorId: 'SD-12-3-1', buildingId: 12, floor: 3, state: 'smoke', obscuration: 4 }).ok,
    ).toBe(true);
    expect(
      parseFeedEvent({ ...env, stream: 'fire', kind: 'fire.detector', detectorId: 'SD-12-3-1', buildingId: 12, floor: 3, state: 'lava', obscuration: 4 }),
    ).toMatchObject({ ok: false, error: expect.stringContaining('fire.detector') });
    expect(parseFeedEvent({ ...env, stream: 'camera', kind: 'camera.ptz', cameraId: 'CAM-0001', heading: 360, reason: 'sos' }).ok).toBe(false);
    expect(
      parseFeedEvent({
        ...env,
        stream: 'care',
        kind: 'care.call',
        deviceId: 'CR-00001',
        buildingId: 1,
        device: 'wearable',
        reason: 'fall',
        lon: Number.NaN,
        lat: 39.9,
      }).ok,
    ).toBe(false);
    expect(
      parseFeedEvent({ ...env, stream: 'env', kind: 'env.reading', stationId: 'ENV-01', metric: 'noise', value: 55, unit: 'dB(A)', level: 'normal' }).ok,
    ).toBe(true);
  });
});
