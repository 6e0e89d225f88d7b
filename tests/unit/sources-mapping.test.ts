import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSourcesFile, type Source } from '../../data-pipelines/contracts/sources.ts';
import { loadEntities } from '../../data-pipelines/feed/entities.ts';
import {
  decodeBytes,
  mapMessage,
  matchPattern,
  parseDeviceTime,
  QUARANTINE_REASONS,
  readField,
  safeSample,
  SAMPLE_CHARS,
  type MapResult,
  type QuarantineReason,
} from '../../data-pipelines/sources/mapping.ts';
import { buildRegistry, checkRegistrySources, parseRegistry, resolveRegistry, type Registry } from '../../data-pipelines/sources/registry.ts';

const root = join(import.meta.dirname, '..', '..');
const dir = join(root, 'assets', 'sources');
const enc = new TextEncoder();
const bytes = (v: unknown) => enc.encode(typeof v === 'string' ? v : JSON.stringify(v));

const parsed = parseSourcesFile(readFileSync(join(dir, 'district-sources.json'), 'utf8'), 'district-sources.json');
if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
const sources = new Map(parsed.value.sources.map((s) => [s.id, s]));
const src = (id: string): Source => sources.get(id)!;

const entities = loadEntities(join(root, 'assets', 'district'));
const regParse = parseRegistry(readFileSync(join(dir, 'registry.csv'), 'utf8'), 'registry.csv');
if (!regParse.ok) throw new Error(regParse.errors.join('\n'));
const resolved = resolveRegistry(regParse.entries, entities, 'registry.csv');
if (!resolved.ok) throw new Error(resolved.errors.join('\n'));
const registry: Registry = resolved.registry;

const samples = (
  JSON.parse(readFileSync(join(dir, 'samples', 'index.json'), 'utf8')) as {
    samples: Array<{ file: string; source: string; topicOrPath: string; receivedAt: string }>;
  }
).samples;
function runSample(file: string): MapResult {
  const s = samples.find((x) => x.file === file)!;
  return mapMessage(src(s.source), s.topicOrPath, readFileSync(join(dir, 'samples', s.file)), Date.parse(s.receivedAt), registry);
}
const T0 = Date.parse('2026-12-05T08:00:00Z');

describe('example sources and samples', () => {
  it('every source of the example file and every registry row is valid against the demo district', () => {
    expect(parsed.value.sources.map((s) => s.id)).toEqual(['nbiot-manholes', 'fire-panels', 'carparks', 'roadside', 'care-buttons', 'sos-posts']);
    expect(registry.size).toBe(regParse.entries.length);
    expect(samples.map((s) => s.source).sort()).toEqual([...sources.keys()].sort());
    expect(checkRegistrySources(regParse.entries, sources.keys(), 'registry.csv')).toEqual([]);
    expect(checkRegistrySources(regParse.entries, ['carparks'], 'registry.csv')[0]).toBe(
      'registry.csv: row 2: source "nbiot-manholes" is not in the sources file (carparks)',
    );
  });

  it('CTWing envelope: base64 APPdata decoded by the layout (checked by hand)', () => {
    // ABkAeAFeAOpX = 00 19 | 00 78 | 01 5E | 00 EA | 57 (big-endian u16 ×4, u8)
    expect([...decodeBytes('ABkAeAFeAOpX', 'base64')!]).toEqual([0x00, 0x19, 0x00, 0x78, 0x01, 0x5e, 0x00, 0xea, 0x57]);
    const r = runSample('ctwing-manhole.json');
    expect(r.quarantined).toEqual([]);
    expect(r.flags).toEqual([]);
    const base = { stream: 'manhole', kind: 'manhole.reading', ts: T0, wellId: 'MH-00420' };
    expect(r.drafts).toEqual([
      { ...base, sensor: 'cover', value: 2.5, unit: 'mm', level: 'normal' }, // 0x0019 = 25 × 0.1
      { ...base, sensor: 'tilt', value: 1.2, unit: 'deg', level: 'normal' }, // 0x0078 = 120 × 0.01
      { ...base, sensor: 'level', value: 35, unit: '%', level: 'normal' }, // 0x015E = 350 × 0.1
      { ...base, sensor: 'gas', value: 23.4, unit: '%LEL', level: 'alarm' }, // 0x00EA = 234 × 0.1 ≥ 20 %LEL
      { ...base, sensor: 'battery', value: 87, unit: '%', level: 'normal' }, // 0x57
    ]);
    expect(r.dedupIds).toHaveLength(5);
    expect(new Set(r.dedupIds).size).toBe(5);
    // a redelivery of the same bytes has the same ids
    expect(runSample('ctwing-manhole.json').dedupIds).toEqual(r.dedupIds);
  });

  it('fire panel event: building-floor-zone-device → detector, Beijing wall time, panel event number as id', () => {
    const r = runSample('fire-panel-event.json');
    expect(r.quarantined).toEqual([]);
    expect(r.drafts).toEqual([
      {
        stream: 'fire',
        kind: 'fire.detector',
        ts: Date.parse('2026-12-05T08:02:11Z'),
        detectorId: 'SD-12-3-1',
        buildingId: 12,
        floor: 3,
        state: 'fire',
        obscuration: 11.5,
      },
    ]);
    expect(r.messageId).toBe('fire-panels:m:fire/P12/event:P12-20261205-0042');
  });

  it('car park free-space count → occupancy with the district capacity', () => {
    const r = runSample('carpark-free-spaces.json');
    expect(r.quarantined).toEqual([]);
    expect(r.drafts).toEqual([
      { stream: 'parking', kind: 'parking.occupancy', ts: Date.parse('2026-12-05T08:05:00Z'), placeId: 'PL-001', occupied: 430 - 123, capacity: 430 },
    ]);
  });

  it('roadside spot sensor: device from the topic capture, occupied 1 of 1', () => {
    const r = runSample('roadside-spot.json');
    expect(r.quarantined).toEqual([]);
    expect(r.drafts).toEqual([{ stream: 'parking', kind: 'parking.occupancy', ts: T0, placeId: 'RS-00001', occupied: 1, capacity: 1 }]);
  });

  it('care gateway batch: each element its own call, with the building and position of the device', () => {
    const r = runSample('care-button.json');
    expect(r.quarantined).toEqual([]);
    const c1 = entities.care.find((c) => c.id === 'CR-00001')!;
    const c4 = entities.care.find((c) => c.id === 'CR-00004')!;
    expect(r.drafts).toEqual([
      {
        stream: 'care',
        kind: 'care.call',
        ts: Date.parse('2026-12-05T08:06:30Z'),
        deviceId: 'CR-00001',
        buildingId: c1.buildingId,
        device: 'button',
        reason: 'sos',
        lon: c1.lon,
        lat: c1.lat,
      },
      {
        stream: 'care',
        kind: 'care.call',
        ts: Date.parse('2026-12-05T08:06:25Z'),
        deviceId: 'CR-00004',
        buildingId: c4.buildingId,
        device: 'button',
        reason: 'cancel',
        lon: c4.lon,
        lat: c4.lat,
      },
    ]);
    expect(r.dedupIds[0]).not.toBe(r.dedupIds[1]);
  });

  it('SOS post press → camera.sos at the post', () => {
    const r = runSample('sos-post.json');
    const p = entities.sos.find((s) => s.id === 'SOS-001')!;
    expect(r.quarantined).toEqual([]);
    expect(r.drafts).toEqual([{ stream: 'camera', kind: 'camera.sos', ts: Date.parse('2026-12-05T08:06:30Z'), buttonId: 'SOS-001', lon: p.lon, lat: p.lat }]);
  });
});

describe('topic matching', () => {
  it('named captures, + and #', () => {
    expect(matchPattern('/sys/{productKey}/{deviceName}/thing/event/property/post', '/sys/a1B/dev-7/thing/event/property/post')).toEqual({
      productKey: 'a1B',
      deviceName: 'dev-7',
    });
    expect(matchPattern('/sys/{productKey}/{deviceName}/thing/event/property/post', '/sys/a1B/dev-7/thing/event/property/post_reply')).toBeNull();
    expect(matchPattern('/sys/{productKey}/{deviceName}/thing/event/property/post', '/sys/a1B/thing/event/property/post')).toBeNull();
    expect(matchPattern('fire/+/event', 'fire/P1/event')).toEqual({});
    expect(matchPattern('fire/+/event', 'fire/P1/x/event')).toBeNull();
    expect(matchPattern('fire/#', 'fire')).toEqual({});
    expect(matchPattern('fire/#', 'fire/a/b/c')).toEqual({});
    expect(matchPattern('fire/{p}/#', 'fire/P9/a/b')).toEqual({ p: 'P9' });
    expect(matchPattern('#', '$SYS/broker/load')).toBeNull();
    expect(matchPattern('+/broker/load', '$SYS/broker/load')).toBeNull();
    expect(matchPattern('$SYS/broker/load', '$SYS/broker/load')).toEqual({});
    expect(matchPattern('fire/+', 'fire/')).toEqual({});
  });
});

describe('device time', () => {
  it('reads the four formats; zone-less times in Asia/Shanghai (UTC+8) or UTC', () => {
    expect(parseDeviceTime(1796457600000, 'epoch-ms', 'Asia/Shanghai')).toBe(T0);
    expect(parseDeviceTime('1796457600000', 'epoch-ms', 'Asia/Shanghai')).toBe(T0);
    expect(parseDeviceTime(1796457600, 'epoch-s', 'Asia/Shanghai')).toBe(T0);
    expect(parseDeviceTime('2026-12-05 16:00:00', 'yyyy-MM-dd HH:mm:ss', 'Asia/Shanghai')).toBe(T0);
    expect(parseDeviceTime('2026-12-05 08:00:00', 'yyyy-MM-dd HH:mm:ss', 'UTC')).toBe(T0);
    expect(parseDeviceTime('2026-12-05T16:00:00+08:00', 'iso8601', 'UTC')).toBe(T0);
    expect(parseDeviceTime('2026-12-05T08:00:00.250Z', 'iso8601', 'Asia/Shanghai')).toBe(T0 + 250);
    expect(parseDeviceTime('2026-12-05T03:00:00-0500', 'iso8601', 'Asia/Shanghai')).toBe(T0);
    expect(parseDeviceTime('2026-12-05T16:00:00', 'iso8601', 'Asia/Shanghai')).toBe(T0);
    for (const bad of ['2026-02-30 10:00:00', '2026-13-01 10:00:00', '2026-12-05T16:00:00', 'yesterday', '', '2026-12-05 24:00:00']) {
      expect(parseDeviceTime(bad, 'yyyy-MM-dd HH:mm:ss', 'Asia/Shanghai'), bad).toBeNull();
    }
    expect(parseDeviceTime('2026-12-05 16:00:00', 'iso8601', 'Asia/Shanghai')).toBeNull();
    expect(parseDeviceTime(-5, 'epoch-ms', 'UTC')).toBeNull();
    expect(parseDeviceTime({}, 'epoch-s', 'UTC')).toBeNull();
    expect(parseDeviceTime(1e300, 'epoch-s', 'UTC')).toBeNull();
  });

  it('a device clock beyond maxSkewS, or an unreadable time, keeps the reading with the received time and flags it', () => {
    const s = src('fire-panels'); // default maxSkewS 300
    const msg = (time: unknown) => bytes({ eventNo: 'E1', building: '12', floor: 3, zone: '2', device: '017', event: 'FIRE', time });
    const rx = Date.parse('2026-12-05T08:02:11Z');
    const ok = mapMessage(s, 'fire/P12/event', msg('2026-12-05 16:06:00'), rx, registry); // 229 s ahead: within bound
    expect(ok.drafts[0]!.ts).toBe(Date.parse('2026-12-05T08:06:00Z'));
    expect(ok.flags).toEqual([]);
    const skewed = mapMessage(s, 'fire/P12/event', msg('2026-12-05 16:07:12'), rx, registry); // 301 s ahead
    expect(skewed.drafts).toHaveLength(1);
    expect(skewed.drafts[0]!.ts).toBe(rx);
    expect(skewed.flags.map((f) => f.flag)).toEqual(['clock-skew']);
    expect(skewed.flags[0]!.detail).toContain('301 s');
    const unreadable = mapMessage(s, 'fire/P12/event', msg('5 Dec 2026'), rx, registry);
    expect(unreadable.drafts[0]!.ts).toBe(rx);
    expect(unreadable.flags.map((f) => f.flag)).toEqual(['time-unreadable']);
  });
});

/** One message per quarantine reason (all but internal-error, which only a bug reaches). */
function reasonCases(): Array<{ reason: QuarantineReason; source: string; topic: string; body: Uint8Array; path?: string; registry?: Registry }> {
  const ctw = (o: object) => bytes({ timestamp: T0, IMEI: '868120045123456', messageType: 'dataReport', payload: { APPdata: 'ABkAeAFeAOpX' }, ...o });
  const fire = (o: object) => bytes({ eventNo: 'E1', building: '12', floor: 3, zone: '2', device: '017', event: 'FIRE', time: '2026-12-05 16:00:00', ...o });
  const unresolved = buildRegistry(regParse.ok ? regParse.entries : []);
  return [
    { reason: 'too-large', source: 'sos-posts', topic: '/press', body: bytes({ postNo: 'P-001', action: 'press', pad: 'x'.repeat(70_000) }) },
    { reason: 'no-route', source: 'sos-posts', topic: '/elsewhere', body: bytes({ postNo: 'P-001', action: 'press' }) },
    { reason: 'no-route', source: 'nbiot-manholes', topic: '/ctwing', body: ctw({ messageType: 'deviceOnlineOfflineReport' }), path: '$.messageType' },
    { reason: 'bad-json', source: 'sos-posts', topic: '/press', body: bytes('{"postNo": "P-001", "action": pre'), path: '$' },
    { reason: 'bad-json', source: 'sos-posts', topic: '/press', body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), path: '$' },
    { reason: 'bad-batch', source: 'care-buttons', topic: 'care/GW/alarm', body: bytes({ events: { sn: 'CB2819001' } }), path: '$.events' },
    { reason: 'bad-payload', source: 'nbiot-manholes', topic: '/ctwing', body: ctw({ payload: { APPdata: 'not base64!' } }), path: '$.payload.APPdata' },
    { reason: 'bad-payload', source: 'nbiot-manholes', topic: '/ctwing', body: ctw({ payload: { APPdata: 42 } }), path: '$.payload.APPdata' },
    { reason: 'no-device', source: 'nbiot-manholes', topic: '/ctwing', body: ctw({ IMEI: { x: 1 } }), path: '$.IMEI' },
    { reason: 'unknown-device', source: 'nbiot-manholes', topic: '/ctwing', body: ctw({ IMEI: '999999999999999' }), path: '$.IMEI' },
    {
      reason: 'wrong-entity',
      source: 'fire-panels',
      topic: 'fire/P/event',
      body: fire({}),
      registry: buildRegistry([{ device: '12-3-2-017', entity: 'MH-00420', type: 'well', row: 2 }]),
    },
    { reason: 'incomplete-entity', source: 'fire-panels', topic: 'fire/P/event', body: fire({}), registry: unresolved },
    { reason: 'missing-value', source: 'fire-panels', topic: 'fire/P/event', body: fire({ event: undefined }), path: '$.event' },
    {
      reason: 'wrong-type',
      source: 'carparks',
      topic: '/free-spaces',
      body: bytes({ parkCode: 'B708', free: 'many', time: '2026-12-05T16:05:00+08:00' }),
      path: '$.free',
    },
    { reason: 'unmapped-value', source: 'fire-panels', topic: 'fire/P/event', body: fire({ event: 'TEST' }), path: '$.event' },
    {
      reason: 'out-of-range',
      source: 'carparks',
      topic: '/free-spaces',
      body: bytes({ parkCode: 'B708', free: 431, time: '2026-12-05T16:05:00+08:00' }),
      path: '$.free',
    },
    { reason: 'out-of-range', source: 'fire-panels', topic: 'fire/P/event', body: fire({ obscuration: 250 }), path: '$.obscuration' },
    { reason: 'invalid-event', source: 'carparks', topic: '/free-spaces', body: bytes({ parkCode: 'B708', free: 0.5, time: '2026-12-05T16:05:00+08:00' }) },
  ];
}

describe('quarantine', () => {
  it('each reason, with a path and a safe sample; nothing else produced from the bad part', () => {
    const seen = new Set<string>();
    for (const c of reasonCases()) {
      const r = mapMessage(src(c.source), c.topic, c.body, T0, c.registry ?? registry);
      const q = r.quarantined.map((x) => x.reason);
      expect(q, `${c.reason}: ${JSON.stringify(r.quarantined)}`).toContain(c.reason);
      const item = r.quarantined.find((x) => x.reason === c.reason)!;
      if (c.path) expect(item.path, c.reason).toBe(c.path);
      expect(item.detail.length).toBeGreaterThan(5);
      expect(item.sample.length).toBeLessThanOrEqual(SAMPLE_CHARS + 1);
      expect(item.sample).not.toMatch(/[\u0000-\u001f]/);
      seen.add(c.reason);
    }
    expect([...seen].sort()).toEqual(QUARANTINE_REASONS.filter((r) => r !== 'internal-error').sort());
  });

  it('a truncated binary payload costs only the fields it lacks', () => {
    // 7 bytes: displacement, tilt, level present; gas lacks its second byte; battery absent
    const trunc = Buffer.from([0x00, 0x19, 0x00, 0x78, 0x01, 0x5e, 0x00]).toString('base64');
    const r = mapMessage(
      src('nbiot-manholes'),
      '/ctwing',
      bytes({ timestamp: T0, IMEI: '868120045123456', messageType: 'dataReport', payload: { APPdata: trunc } }),
      T0,
      registry,
    );
    expect(r.drafts.map((d) => (d.kind === 'manhole.reading' ? d.sensor : '?'))).toEqual(['cover', 'tilt', 'level']);
    expect(r.quarantined.map((q) => [q.reason, q.path])).toEqual([
      ['bad-payload', '$.payload.APPdata (gas)'],
      ['bad-payload', '$.payload.APPdata (battery)'],
    ]);
    expect(r.quarantined[0]!.detail).toContain('7 bytes');
  });

  it('one bad element of a batch costs only that element', () => {
    const r = mapMessage(
      src('care-buttons'),
      'care/GW/alarm',
      bytes({
        events: [
          { sn: 'CB2819001', type: 'SOS', ts: 1796457990 },
          { sn: 'NOPE', type: 'SOS', ts: 1796457990 },
          { sn: 'CB0679004', type: 'WAT', ts: 1796457990 },
        ],
      }),
      T0,
      registry,
    );
    expect(r.drafts).toHaveLength(1);
    expect(r.quarantined.map((q) => [q.reason, q.path, q.device])).toEqual([
      ['unknown-device', '$.events[1].sn', 'NOPE'],
      ['unmapped-value', '$.events[2].type', 'CB0679004'],
    ]);
  });

  it('samples are printable and bounded; binary is shown as hex', () => {
    expect(safeSample(bytes('a\u0000b\nc'))).toBe('a\uFFFDb c');
    expect(safeSample(new Uint8Array([0xff, 0x00, 0x10]))).toBe('hex:ff0010');
    expect([...safeSample(bytes('中'.repeat(1000)))].length).toBe(SAMPLE_CHARS + 1);
  });
});

describe('unit conversion and layout types', () => {
  it('converts declared units to the sensor unit and refuses undefined conversions at parse time', () => {
    const file = (values: object, layout?: object[]) =>
      JSON.stringify({
        format: 'redwall-sources/1',
        sources: [
          {
            id: 's',
            kind: 'http',
            http: { tokenEnv: 'T' },
            quietAfterMin: 5,
            registry: 'r.csv',
            routes: [
              {
                match: '/x',
                event: 'manhole.reading',
                device: { path: '$.d' },
                ...(layout ? { payload: { decode: 'hex', field: '$.p', layout } } : {}),
                values,
              },
            ],
          },
        ],
      });
    const p = parseSourcesFile(
      file({
        cover: { path: '$.c', unit: 'm' },
        temp: { path: '$.t', unit: 'degF' },
        pressure: { path: '$.p', unit: 'kPa' },
        co: { path: '$.co', unit: '%vol' },
      }),
      'f.json',
    );
    if (!p.ok) throw new Error(p.errors.join('\n'));
    const reg = buildRegistry([{ device: 'D', entity: 'MH-00420', type: 'well', row: 2 }]);
    const r = mapMessage(p.value.sources[0]!, '/x', bytes({ d: 'D', c: 0.012, t: 212, p: 300, co: 0.003 }), T0, reg);
    expect(r.quarantined).toEqual([]);
    expect(r.drafts.map((d) => (d.kind === 'manhole.reading' ? [d.sensor, d.value, d.unit, d.level] : null))).toEqual([
      ['cover', 12, 'mm', 'warning'],
      ['temp', 100, 'degC', 'alarm'],
      ['pressure', 0.3, 'MPa', 'normal'],
      ['co', 30, 'ppm', 'warning'],
    ]);
    const bad = parseSourcesFile(file({ gas: { path: '$.g', unit: 'ppm' } }), 'f.json');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors).toEqual(["f.json: sources[0].routes[0].values.gas.unit: no conversion from ppm to %LEL (the gas sensor's unit)"]);
  });

  it('reads u8/i8/u16/i16/u32/i32/f32 in both byte orders', () => {
    const b = new Uint8Array([0xfe, 0xff, 0x3f, 0xc0, 0x00, 0x00, 0x01, 0x02]);
    expect(readField(b, { name: 'a', offset: 0, type: 'u8', endian: 'big' })).toBe(254);
    expect(readField(b, { name: 'a', offset: 0, type: 'i8', endian: 'big' })).toBe(-2);
    expect(readField(b, { name: 'a', offset: 0, type: 'u16', endian: 'big' })).toBe(0xfeff);
    expect(readField(b, { name: 'a', offset: 0, type: 'i16', endian: 'little' })).toBe(-2); // ff fe → 0xfffe
    expect(readField(b, { name: 'a', offset: 0, type: 'i16', endian: 'big' })).toBe(-257);
    expect(readField(b, { name: 'a', offset: 2, type: 'f32', endian: 'big' })).toBe(1.5);
    expect(readField(b, { name: 'a', offset: 4, type: 'u32', endian: 'big' })).toBe(0x00000102);
    expect(readField(b, { name: 'a', offset: 4, type: 'u32', endian: 'little' })).toBe(0x02010000);
    expect(readField(b, { name: 'a', offset: 0, type: 'i32', endian: 'big' })).toBe(0xfeff3fc0 | 0);
    expect(readField(b, { name: 'a', offset: 6, type: 'u32', endian: 'big' })).toBeNull();
    expect(decodeBytes('0A ff', 'hex')).toEqual(new Uint8Array([0x0a, 0xff]));
    expect(decodeBytes('0Af', 'hex')).toBeNull();
  });
});

describe('sources file errors carry the JSON path', () => {
  const good = JSON.parse(readFileSync(join(dir, 'district-sources.json'), 'utf8'));
  const withEdit = (edit: (f: typeof good) => void) => {
    const f = structuredClone(good);
    edit(f);
    return parseSourcesFile(JSON.stringify(f), 'district.json');
  };
  const errs = (r: ReturnType<typeof parseSourcesFile>) => (r.ok ? [] : r.errors);

  it('names the exact field', () => {
    expect(
      errs(
        withEdit((f) => {
          f.sources[1].routes[0].values.state.path = 'event';
        }),
      ),
    ).toEqual([expect.stringMatching(/^district\.json: sources\[1\]\.routes\[0\]\.values\.state\.path: must be a JSON path/)]);
    expect(
      errs(
        withEdit((f) => {
          f.sources[0].routes[0].values.gas.field = 'methane';
        }),
      ),
    ).toEqual(['district.json: sources[0].routes[0].values.gas.field: the layout has no field "methane"']);
    expect(
      errs(
        withEdit((f) => {
          f.sources[2].http.token = 'secret';
        }),
      ),
    ).toEqual([expect.stringMatching(/^district\.json: sources\[2\]\.http\.token: inline tokens are not allowed/)]);
    expect(
      errs(
        withEdit((f) => {
          f.sources[1].routes[0].match = 'fire/{panel}x/event';
        }),
      ),
    ).toEqual(["district.json: sources[1].routes[0].match: level \"{panel}x\": '+', '#' and {name} must fill a whole level"]);
    expect(
      errs(
        withEdit((f) => {
          f.sources[3].routes[0].match = '/sys/{productKey}/{deviceName}/thing/event/other';
        }),
      ),
    ).toEqual(['district.json: sources[3].routes[0].match: no subscribed topic filter (mqtt.topics) covers this route']);
    expect(
      errs(
        withEdit((f) => {
          f.sources[4].routes[0].device = { capture: 'gw' };
        }),
      ),
    ).toEqual(['district.json: sources[4].routes[0].device.capture: the pattern has no capture {gw}']);
    expect(
      errs(
        withEdit((f) => {
          f.sources[1].routes[0].values.state.map.FIRE = 'burning';
        }),
      ),
    ).toEqual(['district.json: sources[1].routes[0].values.state.map.FIRE: must be one of normal, smoke, fire, fault']);
    expect(
      errs(
        withEdit((f) => {
          f.sources[2].routes[0].values = {};
        }),
      ),
    ).toEqual(['district.json: sources[2].routes[0].values: parking.occupancy needs a value "occupied" or "free"']);
    expect(
      errs(
        withEdit((f) => {
          f.sources[5].id = 'carparks';
        }),
      ),
    ).toEqual(['district.json: sources[5].id: source id "carparks" is already used by sources[2]']);
    expect(
      errs(
        withEdit((f) => {
          f.sources[0].routes[0].payload.layout[1].type = 'u64';
        }),
      ),
    ).toEqual([expect.stringMatching(/^district\.json: sources\[0\]\.routes\[0\]\.payload\.layout\[1\]\.type: /)]);
    expect(
      errs(
        withEdit((f) => {
          f.format = 'redwall-sources/2';
        }),
      ),
    ).toEqual(['district.json: format: format must be "redwall-sources/1"']);
    expect(errs(parseSourcesFile('{"format": ', 'x.json'))[0]).toMatch(/^x\.json: not JSON/);
  });
});

describe('registry', () => {
  it('CSV errors name the line; JSON errors name the row', () => {
    const csv = ['device,entity,source', 'A,MH-00420,', 'B,XX-1,', 'A,MH-00001,', '"C,MH-00002', 'D,MH-00003,bad source', 'E,MH-00004'].join('\n');
    const r = parseRegistry(csv, 'reg.csv');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors).toEqual([
        expect.stringMatching(/^reg\.csv: line 3: entity "XX-1" is not a district entity id/),
        'reg.csv: line 4: device "A" is already mapped in row 2',
        'reg.csv: line 5: unbalanced quotes',
        'reg.csv: line 6: source "bad source" is not a source id',
        'reg.csv: line 7: 2 columns, the header has 3',
      ]);
    }
    expect(parseRegistry('id,where\nA,B', 'h.csv')).toEqual({
      ok: false,
      errors: ['h.csv: line 1: the header must name the columns device and entity (and optionally source, note)'],
    });
    const j = parseRegistry(
      JSON.stringify({
        format: 'redwall-registry/1',
        devices: [
          { device: 'A', entity: 'SD-12-3-1' },
          { device: 'B', entity: 7 },
          { device: '', entity: 'SOS-001' },
        ],
      }),
      'reg.json',
    );
    expect(j.ok).toBe(false);
    if (!j.ok) expect(j.errors).toEqual([expect.stringMatching(/^reg\.json: devices\[1\] \(row 2\)\.entity: /)]);
    const j2 = parseRegistry(
      JSON.stringify({
        format: 'redwall-registry/1',
        devices: [
          { device: 'A', entity: 'SD-12-3-1' },
          { device: '', entity: 'SOS-001' },
        ],
      }),
      'reg.json',
    );
    expect(j2.ok).toBe(false);
    if (!j2.ok) expect(j2.errors).toEqual([expect.stringMatching(/^reg\.json: devices\[1\] \(row 2\): device id must be/)]);
  });

  it('entities the district lacks are errors naming the row; known ones gain building, floor, position, capacity', () => {
    const r = parseRegistry('device,entity\nA,SD-12-3-1\nB,MH-99999\nC,PL-001\n', 'reg.csv');
    if (!r.ok) throw new Error(r.errors.join());
    const bad = resolveRegistry(r.entries, entities, 'reg.csv');
    expect(bad).toEqual({ ok: false, errors: ['reg.csv: row 3: device "B" → MH-99999: the district has no such well'] });
    const good = resolveRegistry(
      r.entries.filter((e) => e.device !== 'B'),
      entities,
      'reg.csv',
    );
    if (!good.ok) throw new Error(good.errors.join());
    expect(good.registry.byKey.get('\u0000A')).toMatchObject({ entity: 'SD-12-3-1', buildingId: 12, floor: 3 });
    expect(good.registry.byKey.get('\u0000C')).toMatchObject({ entity: 'PL-001', capacity: 430 });
  });
});

describe('fuzz', () => {
  it('10,000 random and mutated messages never throw and always map or quarantine with a reason', () => {
    let seed = 0x5eed;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)]!;
    const bases = samples.map((s) => ({ s, body: readFileSync(join(dir, 'samples', s.file)) }));
    const junk: unknown[] = [null, true, 0, -1, 1e308, 'x', '', [], {}, [1, 2], { a: { b: {} } }, 'ABkA', '中文', '\u0000', 'x'.repeat(5000), NaN];
    const mutateJson = (v: unknown, depth = 0): unknown => {
      if (v === null || typeof v !== 'object' || depth > 6) return rand() < 0.3 ? pick(junk) : v;
      if (Array.isArray(v)) return rand() < 0.2 ? pick(junk) : v.map((x) => mutateJson(x, depth + 1)).filter(() => rand() > 0.1);
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (rand() > 0.1) out[k] = rand() < 0.7 ? mutateJson(x, depth + 1) : x;
      if (rand() < 0.1) out.__proto__extra = pick(junk);
      return out;
    };
    const counts = { mapped: 0, quarantined: 0 };
    for (let i = 0; i < 10_000; i++) {
      const { s, body } = pick(bases);
      const source = src(s.source);
      let topic = s.topicOrPath;
      let msg: Uint8Array;
      const mode = rand();
      if (mode < 0.45) msg = bytes(mutateJson(JSON.parse(body.toString('utf8'))));
      else if (mode < 0.6) {
        msg = new Uint8Array(body);
        for (let k = 0; k < 1 + rand() * 5; k++) msg[Math.floor(rand() * msg.length)] = Math.floor(rand() * 256);
      } else if (mode < 0.7) msg = body.subarray(0, Math.floor(rand() * body.length));
      else if (mode < 0.8) {
        msg = new Uint8Array(Math.floor(rand() * 300));
        for (let k = 0; k < msg.length; k++) msg[k] = Math.floor(rand() * 256);
      } else if (mode < 0.85) msg = bytes({ ...JSON.parse(body.toString('utf8')), pad: 'y'.repeat(70_000) });
      else if (mode < 0.9) {
        msg = body;
        topic = pick(['', '/', '#', '$SYS/x', topic + '/extra', topic.toUpperCase(), 'fire//event', 'care/+/alarm']);
      } else if (mode < 0.95) {
        // unknown devices and truncated binary layouts
        const o = JSON.parse(body.toString('utf8'));
        for (const k of ['IMEI', 'postNo', 'parkCode', 'device', 'sn']) if (k in o) o[k] = `U${Math.floor(rand() * 1e6)}`;
        if (o.payload?.APPdata) o.payload.APPdata = Buffer.from([0, 0x19, 0, 0x78, 1].slice(0, Math.floor(rand() * 5))).toString('base64');
        msg = bytes(o);
      } else {
        // deep nesting, valid or cut short
        const n = Math.floor(rand() * 5000);
        msg = bytes('['.repeat(n) + (rand() < 0.5 ? ']'.repeat(n) : ''));
      }
      let r: MapResult;
      try {
        r = mapMessage(source, topic, msg, T0, registry);
      } catch (e) {
        throw new Error(`threw on message ${i} (${s.file}, mode ${mode.toFixed(2)}): ${(e as Error).message}`);
      }
      expect(r.drafts.length + r.quarantined.length + r.flags.length, `message ${i} vanished`).toBeGreaterThan(0);
      expect(r.dedupIds).toHaveLength(r.drafts.length);
      for (const q of r.quarantined) {
        expect(QUARANTINE_REASONS).toContain(q.reason);
        expect(q.reason).not.toBe('internal-error');
        expect(q.sample.length).toBeLessThanOrEqual(SAMPLE_CHARS * 2 + 1);
      }
      if (r.drafts.length) counts.mapped++;
      if (r.quarantined.length) counts.quarantined++;
    }
    // the fuzz exercised both outcomes substantially
    expect(counts.mapped).toBeGreaterThan(500);
    expect(counts.quarantined).toBeGreaterThan(5000);
  });
});
