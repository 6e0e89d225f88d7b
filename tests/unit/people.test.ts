/**
 * People and services (issue 6): the synthetic population is plausible and deterministic; masking, roles and the
 * elderly-benefit rules on fixtures; the feed server never lets the renderer's token see a whole record, and audits
 * every list, view and unmask attempt.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import { WIRE } from '../../data-pipelines/contracts/events.ts';
import type { PeopleAnswer } from '../../data-pipelines/contracts/people.ts';
import { startFeedServer, type FeedServer } from '../../data-pipelines/feed/server.ts';
import { loadHomes } from '../../data-pipelines/people/homes.ts';
import { ageOn, generatePopulation, idCheckDigit, isValidIdNumber, type HomeSource } from '../../data-pipelines/people/population.ts';
import { birthdayAt, eligibleBenefits, maskIdNumber, maskName, maskPhone, mayUnmask } from '../../data-pipelines/people/policy.ts';
import { beijingDate, PeopleService } from '../../data-pipelines/people/service.ts';

const ASSETS = resolve(import.meta.dirname, '../../assets/district');
const HOMES: HomeSource[] = [
  { buildingId: 1, compoundId: 1, households: 300, gridId: 'G-A', lon: 116.45, lat: 39.93 },
  { buildingId: 2, compoundId: 1, households: 200, gridId: 'G-B', lon: 116.42, lat: 39.94 },
];

describe('synthetic population', () => {
  const pop = generatePopulation(HOMES, '2026-11-23');
  it('is deterministic, tied to its buildings, with valid resident ID numbers consistent with birth and gender', () => {
    expect(generatePopulation(HOMES, '2026-11-23')).toEqual(pop);
    expect(new Set(pop.map((r) => r.householdId)).size).toBe(500);
    expect(pop.length / 500).toBeGreaterThan(2.1);
    expect(pop.length / 500).toBeLessThan(2.8);
    for (const r of pop) {
      expect(isValidIdNumber(r.idNumber), r.idNumber).toBe(true);
      expect(r.idNumber.slice(6, 14)).toBe(r.birth.replace(/-/g, ''));
      expect(Number(r.idNumber[16]) % 2).toBe(r.gender === 'M' ? 1 : 0);
      expect(r.idNumber.slice(0, 6)).toBe(r.lon < 116.434 ? '110101' : '110105');
      expect(r.phone).toMatch(/^1[3589]\d{9}$/);
    }
    // an ID from the standard's worked example
    expect(idCheckDigit('11010519491231002')).toBe('X');
  });

  it('has an old-district age structure: about a quarter 60+, elders living alone flagged', () => {
    const elderly = pop.filter((r) => ageOn(r.birth, '2026-11-23') >= 60);
    expect(elderly.length / pop.length).toBeGreaterThan(0.17);
    expect(elderly.length / pop.length).toBeLessThan(0.33);
    const alone = pop.filter((r) => r.livingAlone);
    expect(alone.length).toBeGreaterThan(10);
    for (const r of alone) expect(pop.filter((x) => x.householdId === r.householdId)).toHaveLength(1);
  });

  it('the real district: every residential building housed, grids set', () => {
    const homes = loadHomes(ASSETS);
    expect(homes.length).toBe(2084); // 2,040 before building centroids were fixed (issue 17: 2,849 buildings were up to 461 m off their footprint)
    expect(homes.every((h) => h.gridId !== '' && h.households > 0)).toBe(true);
  });
});

describe('masking, roles, eligibility', () => {
  it('masks names, ID numbers and phones the usual way', () => {
    expect(maskName('张三丰')).toBe('张*丰');
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳娜娜')).toBe('欧**娜');
    expect(maskIdNumber('11010519491231002X')).toBe('110105********002X');
    expect(maskPhone('13812345678')).toBe('138****5678');
  });

  it('who may see a whole record: grid staff for their grids, civil affairs for elders and benefit cases, never operators or auditors', () => {
    const r = { ...generatePopulation(HOMES, '2026-11-23')[0]!, gridId: 'G-A', birth: '1950-01-01', disability: 0 as const, lowIncome: false };
    const young = { ...r, birth: '1990-01-01' };
    expect(mayUnmask({ name: 'g', role: 'grid-staff', grids: ['G-A'] }, r, '2026-11-23')).toBe(true);
    expect(mayUnmask({ name: 'g', role: 'grid-staff', grids: ['G-B'] }, r, '2026-11-23')).toBe(false);
    expect(mayUnmask({ name: 'c', role: 'civil-affairs' }, r, '2026-11-23')).toBe(true);
    expect(mayUnmask({ name: 'c', role: 'civil-affairs' }, young, '2026-11-23')).toBe(false);
    expect(mayUnmask({ name: 'c', role: 'civil-affairs' }, { ...young, lowIncome: true }, '2026-11-23')).toBe(true);
    expect(mayUnmask({ name: 'o', role: 'operator' }, r, '2026-11-23')).toBe(false);
    expect(mayUnmask({ name: 'a', role: 'auditor' }, r, '2026-11-23')).toBe(false);
  });

  it('benefit eligibility by age and flags (demo rule table), birthdays incl. 29 February', () => {
    const p = (birth: string, f: Partial<{ lowIncome: boolean; disability: 0 | 1; livingAlone: boolean }> = {}) => ({
      birth,
      lowIncome: false,
      disability: 0 as 0 | 1,
      livingAlone: false,
      ...f,
    });
    expect(eligibleBenefits(p('1966-11-24'), '2026-11-23')).toEqual([]); // 59 until tomorrow
    expect(eligibleBenefits(p('1966-11-23'), '2026-11-23')).toEqual(['elderly-card']);
    expect(eligibleBenefits(p('1946-01-01', { livingAlone: true }), '2026-11-23')).toEqual([
      'elderly-card',
      'senior-transit',
      'longevity-allowance',
      'meal-voucher',
      'home-visit-voucher',
    ]);
    expect(eligibleBenefits(p('1960-01-01', { lowIncome: true, disability: 1 }), '2026-11-23')).toEqual([
      'elderly-card',
      'senior-transit',
      'disability-card',
      'care-voucher',
    ]);
    expect(birthdayAt('1964-02-29', 60)).toBe('2024-02-29');
    expect(birthdayAt('1964-02-29', 61)).toBe('2025-03-01');
    expect(beijingDate(Date.UTC(2026, 10, 23, 16, 30))).toBe('2026-11-24'); // 00:30 in Beijing
  });
});

describe('people service', () => {
  const dir = mkdtempSync(join(tmpdir(), 'redwall-people-'));
  const now = Date.UTC(2026, 10, 23, 2, 0);
  const svc = new PeopleService(() => HOMES, { auditPath: join(dir, 'audit.jsonl'), now: () => now });
  const op = { name: '值班员', role: 'operator' as const };

  it('turning 60 in the next year (the small fixture; the district has hundreds a month): exact, soonest first, masked, audited', () => {
    const r = svc.turning(op, { age: 60, days: 366 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const expected = svc.population().filter((p) => {
      const on = birthdayAt(p.birth, 60);
      return on >= '2026-11-23' && on < '2027-11-24';
    });
    expect(r.value.rows.map((x) => x.residentId).sort()).toEqual(expected.map((p) => p.residentId).sort());
    expect(r.value.rows.length).toBeGreaterThan(0);
    for (let i = 1; i < r.value.rows.length; i++) expect(r.value.rows[i]!.inDays).toBeGreaterThanOrEqual(r.value.rows[i - 1]!.inDays);
    for (const x of r.value.rows) {
      expect(x.masked).toBe(true);
      expect(x.name).toContain('*');
      expect(x.idNumber).toMatch(/^\d{6}\*{8}\d{3}[\dX]$/);
      expect(x.benefits).toContain('elderly-card'); // on the day they turn 60
      expect(x.age).toBe(60);
    }
    const raw = JSON.stringify(r.value);
    for (const p of expected) {
      expect(raw).not.toContain(p.name.length > 1 ? p.name : '\u0000');
      expect(raw).not.toContain(p.idNumber);
      expect(raw).not.toContain(p.phone);
    }
    expect(svc.turning(op, { age: 60, days: 0 })).toMatchObject({ ok: false, status: 400 });
  });

  it('unmask: refused for operators, needs a reason, allowed for grid staff of that grid; every attempt on disk', () => {
    const someone = svc.population().find((p) => p.gridId === 'G-A')!;
    expect(svc.unmask(op, someone.residentId, '上门送卡核对身份')).toMatchObject({ ok: false, status: 403 });
    const staff = { name: '网格员李', role: 'grid-staff' as const, grids: ['G-A'] };
    expect(svc.unmask(staff, someone.residentId, '')).toMatchObject({ ok: false, status: 400 });
    const ok = svc.unmask(staff, someone.residentId, '上门送卡核对身份');
    expect(ok).toMatchObject({ ok: true, value: { name: someone.name, idNumber: someone.idNumber, masked: false } });
    const other = svc.population().find((p) => p.gridId === 'G-B')!;
    expect(svc.unmask(staff, other.residentId, '上门送卡核对身份')).toMatchObject({ ok: false, status: 403 });
    expect(svc.view(op, someone.residentId)).toMatchObject({ ok: true, value: { masked: true } });
    const lines = readFileSync(join(dir, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; outcome: string; user: string; residentId?: string });
    expect(lines.filter((l) => l.action === 'unmask').map((l) => [l.user, l.outcome])).toEqual([
      ['值班员', 'denied'],
      ['网格员李', 'bad-request'],
      ['网格员李', 'ok'],
      ['网格员李', 'denied'],
    ]);
    expect(lines.some((l) => l.action === 'view' && l.residentId === someone.residentId)).toBe(true);
    expect(svc.auditTrail(op)).toMatchObject({ ok: false, status: 403 });
    expect(svc.auditTrail({ name: 'a', role: 'auditor' })).toMatchObject({ ok: true });
  });

  it('generation yields to the event loop (an alarm never waits for the population) and gives the same people', async () => {
    const many = Array.from({ length: 400 }, (_, i) => ({ ...HOMES[i % 2]!, buildingId: 100 + i, households: 20 }));
    const a = new PeopleService(() => many, { auditPath: join(dir, 'a.jsonl'), now: () => now });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    await a.ready();
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(3);
    const b = new PeopleService(() => many, { auditPath: join(dir, 'b.jsonl'), now: () => now });
    expect(a.population()).toEqual(b.population());
    await a.ready(); // idempotent
  });

  it('a failed generation is not kept: the next ready() tries again (a server warming at start retries on first use)', async () => {
    let fail = true;
    const c = new PeopleService(
      () => {
        if (fail) throw new Error('homes unreadable');
        return HOMES;
      },
      { auditPath: join(dir, 'c.jsonl'), now: () => now },
    );
    await expect(c.ready()).rejects.toThrow('homes unreadable');
    fail = false;
    await c.ready();
    expect(c.population().length).toBeGreaterThan(0);
  });

  it('inside an alarm zone (issue 22): exact counts per building and grid; the masked vulnerable list by role; audited', () => {
    const ids = [...new Set(svc.population().map((p) => p.buildingId))];
    const one = ids[0]!;
    const r = svc.inside(op, [one, one, 999_999], { alarmId: 'AL-test-1' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const people = svc.population().filter((p) => p.buildingId === one);
    const age = (p: (typeof people)[number]) => ageOn(p.birth, '2026-11-23');
    const expected = {
      residents: people.length,
      elderly: people.filter((p) => age(p) >= 60).length,
      alone: people.filter((p) => p.livingAlone).length,
      disabled: people.filter((p) => p.disability > 0).length,
    };
    expect(r.value.buildings).toEqual([{ buildingId: one, ...expected }]); // the unknown building is left out, the repeat counted once
    expect(r.value.total).toEqual(expected);
    expect(r.value.grids.reduce((s, g) => s + g.residents, 0)).toBe(people.length);
    const vulnerable = people.filter((p) => p.livingAlone || p.disability > 0 || age(p) >= 80);
    expect(vulnerable.length).toBeGreaterThan(0);
    expect(r.value.vulnerable!.map((x) => x.residentId).sort()).toEqual(vulnerable.map((p) => p.residentId).sort());
    expect(r.value.vulnerable![0]!.livingAlone || !vulnerable.some((p) => p.livingAlone)).toBe(true); // alone first
    for (const x of r.value.vulnerable!) expect(x.masked).toBe(true);
    const raw = JSON.stringify(r.value);
    for (const p of vulnerable) expect(raw).not.toContain(p.idNumber);
    // auditors: counts only; grid staff: their own grid's people only
    const audit = svc.inside({ name: 'a', role: 'auditor' }, [one]);
    expect(audit.ok && audit.value.vulnerable).toBe(null);
    expect(audit.ok && audit.value.total).toEqual(expected);
    const grid = people[0]!.gridId;
    const staff = svc.inside({ name: '网格员王', role: 'grid-staff', grids: ['G-none'] }, [one]);
    expect(staff.ok && staff.value.vulnerable).toEqual([]);
    const own = svc.inside({ name: '网格员王', role: 'grid-staff', grids: [grid] }, [one]);
    expect(own.ok && own.value.vulnerable!.every((x) => x.gridId === grid)).toBe(true);
    const lines = readFileSync(join(dir, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { query?: string; user: string });
    expect(lines.filter((l) => l.query?.startsWith('inside ')).map((l) => l.user)).toEqual(['值班员', '网格员王', '网格员王']);
    // the audit says which alarm the list was for
    expect(lines.find((l) => l.query?.startsWith('inside '))?.query).toBe('inside 1 buildings for AL-test-1');
  });

  it('a fire (issue 22): homes spread over the floors; who lives on the fire floor and above, counted and listed first', () => {
    const homes: HomeSource[] = [{ buildingId: 7, compoundId: 1, households: 60, gridId: 'G-A', lon: 116.45, lat: 39.93, floors: 6 }];
    const s6 = new PeopleService(() => homes, { auditPath: join(dir, 'floors.jsonl'), now: () => now });
    const pop = s6.population();
    // 60 households on 6 floors: 10 a floor, from the ground up
    const perFloor = [1, 2, 3, 4, 5, 6].map((f) => new Set(pop.filter((p) => p.floor === f).map((p) => p.householdId)).size);
    expect(perFloor).toEqual([10, 10, 10, 10, 10, 10]);
    const r = s6.inside(op, [7], { above: { buildingId: 7, floor: 4 } });
    if (!r.ok) throw new Error(r.error);
    const up = pop.filter((p) => p.floor! >= 4);
    expect(r.value.above).toEqual({
      buildingId: 7,
      floor: 4,
      residents: up.length,
      elderly: up.filter((p) => ageOn(p.birth, '2026-11-23') >= 60).length,
      alone: up.filter((p) => p.livingAlone).length,
      disabled: up.filter((p) => p.disability > 0).length,
    });
    expect(r.value.above!.residents).toBeLessThan(r.value.total.residents);
    // the vulnerable on floors 4–6 come first, each with their floor
    const list = r.value.vulnerable!;
    const firstBelow = list.findIndex((x) => x.floor! < 4);
    expect(firstBelow).toBeGreaterThan(0);
    expect(list.slice(firstBelow).every((x) => x.floor! < 4)).toBe(true);
    // homes without a known floor (the small fixture) count in no floor
    const noFloors = svc.inside(op, [1], { above: { buildingId: 1, floor: 1 } });
    expect(noFloors.ok && noFloors.value.above?.residents).toBe(0);
  });

  it('elderly density per grid is aggregates only', () => {
    const d = svc.density();
    expect(d.map((g) => g.gridId)).toEqual(['G-A', 'G-B']);
    expect(d.reduce((s, g) => s + g.residents, 0)).toBe(svc.population().length);
    expect(Object.keys(d[0]!).sort()).toEqual(['aloneElderly', 'elderly', 'gridId', 'over80', 'residents', 'staff']);
    expect(d[0]!.staff).toMatch(/^[\u4e00-\u9fff]{2,3}$/);
  });
});

describe('feed server: the renderer’s token cannot unmask, static files carry no personal data', () => {
  let server: FeedServer;
  const journalDir = mkdtempSync(join(tmpdir(), 'redwall-people-srv-'));
  const TOKEN = 'renderer-token-0123456789';
  const STAFF = 'staff-token-0123456789abc';
  const CIVIL = 'civil-token-0123456789abc';
  beforeAll(async () => {
    server = await startFeedServer({
      assetsDir: ASSETS,
      staticDir: resolve(import.meta.dirname, '../../dist/renderer'),
      journalDir,
      sim: null,
      token: TOKEN,
      users: [
        { name: '网格员王', role: 'grid-staff', grids: ['G-0505'], token: STAFF },
        { name: '民政专干', role: 'civil-affairs', token: CIVIL },
      ],
      log: () => undefined,
    });
  });
  afterAll(async () => server?.close());
  const call = (tok: string, path: string, body?: unknown) =>
    fetch(`${server.url}${path}`, {
      method: body ? 'POST' : 'GET',
      headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  it('masked lists for the renderer token; unmask 403; a grid staff token sees their own grid only; all audited', async () => {
    expect(await (await call(TOKEN, '/api/me')).json()).toEqual({ name: '值班员', role: 'operator' });
    const list = (await (await call(TOKEN, '/api/people/turning?age=60&days=60')).json()) as {
      rows: Array<{ residentId: string; gridId: string; name: string; idNumber: string }>;
    };
    expect(list.rows.length).toBeGreaterThan(0);
    for (const r of list.rows) expect(r.idNumber).toContain('********');
    const target = list.rows[0]!;
    const denied = await call(TOKEN, '/api/people/unmask', { residentId: target.residentId, reason: '核对身份信息' });
    expect(denied.status).toBe(403);
    expect(await denied.text()).not.toMatch(/\d{17}[\dX]/);
    const outGrid = list.rows.find((r) => r.gridId !== 'G-0505')!;
    expect((await call(STAFF, '/api/people/unmask', { residentId: outGrid.residentId, reason: '核对身份信息' })).status).toBe(403);
    // civil affairs may see an elder's whole record (everyone on a turning-60 list is one)
    const full = (await (await call(CIVIL, '/api/people/unmask', { residentId: target.residentId, reason: '上门送养老助残卡' })).json()) as {
      idNumber: string;
      masked: boolean;
      residentId: string;
    };
    expect(full).toMatchObject({ masked: false, residentId: target.residentId });
    expect(isValidIdNumber(full.idNumber)).toBe(true);
    expect(full.idNumber.slice(0, 6) + '********' + full.idNumber.slice(14)).toBe(target.idNumber);
    expect((await call('wrong-token-000000000000', '/api/people/turning')).status).toBe(401);
    expect((await call(TOKEN, '/api/people/audit')).status).toBe(403);
    const audit = readFileSync(join(journalDir, 'people-audit.jsonl'), 'utf8');
    expect(audit).toContain('"outcome":"denied"');
    expect(audit).toContain('"user":"民政专干"');
    expect(audit).toContain('"action":"list"');
  });

  it('over the socket (the renderer’s way in): the shared token is the duty operator, masked only; bad requests refused', async () => {
    const ask = async (tok: string, req: unknown): Promise<PeopleAnswer> => {
      const sock = connect(server.url, { auth: { token: tok }, transports: ['websocket'], reconnection: false });
      try {
        return (await sock.timeout(10_000).emitWithAck(WIRE.people, req)) as PeopleAnswer;
      } finally {
        sock.disconnect();
      }
    };
    expect(await ask(TOKEN, { op: 'me' })).toEqual({ ok: true, op: 'me', user: { name: '值班员', role: 'operator' } });
    const list = await ask(TOKEN, { op: 'turning', age: 60, days: 30 });
    expect(list.ok && list.op === 'turning' && list.rows.length > 0 && list.rows.every((r) => r.masked && r.idNumber.includes('********'))).toBe(true);
    const id = list.ok && list.op === 'turning' ? list.rows[0]!.residentId : '';
    expect(await ask(TOKEN, { op: 'unmask', residentId: id, reason: '核对身份信息' })).toMatchObject({ ok: false, status: 403 });
    expect(await ask(TOKEN, { op: 'unmask', residentId: id, reason: '核对身份信息', role: 'civil-affairs' })).toMatchObject({ ok: false, status: 400 });
    expect(await ask(TOKEN, { op: 'turning', age: 60, days: 9999 })).toMatchObject({ ok: false, status: 400 });
    expect(await ask(CIVIL, { op: 'unmask', residentId: id, reason: '上门送养老助残卡' })).toMatchObject({
      ok: true,
      op: 'unmask',
      resident: { masked: false },
    });
    const density = await ask(TOKEN, { op: 'density' });
    expect(density.ok && density.op === 'density' && density.grids.length > 50).toBe(true);
  });

  it('nothing the renderer can load contains the population (data package files, config)', async () => {
    const manifest = (await (await fetch(`${server.url}/assets/district/manifest.json`)).json()) as { tables: Array<{ name: string }> };
    expect(manifest.tables.map((t) => t.name).some((n) => /resident|people|person|household/i.test(n))).toBe(false);
    const cfg = await (await fetch(`${server.url}/api/config`)).text();
    expect(cfg).not.toMatch(/staff-token/);
  });
});

describe('renderer side (pure): the density layer', async () => {
  const { elderlyCells, elderlyColor, ELDERLY_STEPS } = await import('../../renderer/src/layers/elderly/format.ts');

  it('density cells: coloured by the 60+ share, empty cells left out', () => {
    const cells = elderlyCells(
      [
        { id: 'G1', west: 0, south: 0, east: 1, north: 1 },
        { id: 'G2', west: 1, south: 0, east: 2, north: 1 },
        { id: 'G3', west: 2, south: 0, east: 3, north: 1 },
      ],
      [
        { gridId: 'G1', staff: 'a', residents: 100, elderly: 31, over80: 5, aloneElderly: 3 },
        { gridId: 'G2', staff: 'b', residents: 100, elderly: 10, over80: 1, aloneElderly: 0 },
        { gridId: 'G3', staff: 'c', residents: 0, elderly: 0, over80: 0, aloneElderly: 0 },
      ],
    );
    expect(cells.map((c) => [c.id, c.share])).toEqual([
      ['G1', 0.31],
      ['G2', 0.1],
    ]);
    expect(cells[0]!.color).toEqual(ELDERLY_STEPS[4]!.color);
    expect(elderlyColor(0.1)).toEqual(ELDERLY_STEPS[0]!.color);
    expect(elderlyColor(0.2)).toEqual(ELDERLY_STEPS[2]!.color);
  });
});
