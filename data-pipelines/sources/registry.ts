/**
 * Device registry: a platform's device id → the district entity it is (MH-00420, SD-12-3-1, PL-001, RS-00001,
 * CR-00001, CAM-0001, SOS-001). CSV (header `device,entity[,source]`) or JSON (`{"format":"redwall-registry/1",
 * "devices":[{device, entity, source?}]}`). Pure: errors name the row. Resolved against the district's entities, an
 * entry gains what the drafts need (building, floor, position, capacity, care device type).
 */
import { z } from 'zod';

export type EntityType = 'well' | 'detector' | 'parking' | 'care' | 'camera' | 'sos';

export const ENTITY_PATTERNS: Array<[EntityType, RegExp]> = [
  ['well', /^MH-\d{5}$/],
  ['detector', /^SD-\d{1,6}-\d{1,3}-\d$/],
  ['parking', /^(PL-\d{3}|RS-\d{5})$/],
  ['care', /^CR-\d{5}$/],
  ['camera', /^CAM-\d{4}$/],
  ['sos', /^SOS-\d{3}$/],
];

export function entityType(id: string): EntityType | null {
  for (const [t, re] of ENTITY_PATTERNS) if (re.test(id)) return t;
  return null;
}

export interface RegistryEntry {
  device: string;
  entity: string;
  type: EntityType;
  /** only for this source id (otherwise for every source) */
  source?: string;
  /** 1-based row (CSV line or JSON array index + 1) */
  row: number;
  /** filled by resolveRegistry from the district */
  lon?: number;
  lat?: number;
  buildingId?: number;
  floor?: number;
  capacity?: number;
  careDevice?: 'wearable' | 'button';
}

/** The district entities a registry is checked against (structurally data-pipelines/feed/entities.ts's Entities). */
export interface DistrictEntities {
  wells: Array<{ id: string; lon: number; lat: number }>;
  detectors: Array<{ id: string; buildingId: number; floor: number; lon: number; lat: number }>;
  parking: Array<{ id: string; capacity: number; lon: number; lat: number }>;
  care: Array<{ id: string; device: 'wearable' | 'button'; buildingId: number; lon: number; lat: number }>;
  cameras: Array<{ id: string; lon: number; lat: number }>;
  sos: Array<{ id: string; lon: number; lat: number }>;
}

export interface Registry {
  /** lookup by `${source}\u0000${device}` first, then `\u0000${device}` */
  byKey: Map<string, RegistryEntry>;
  size: number;
}

export type RegistryParse = { ok: true; entries: RegistryEntry[] } | { ok: false; errors: string[] };

const deviceRe = /^[\x21-\x7e\u00a0-\uffff][\x20-\x7e\u00a0-\uffff]{0,127}$/;
const sourceRe = /^[a-z0-9][a-z0-9_-]{0,47}$/;

const JsonRegistry = z
  .object({
    format: z.literal('redwall-registry/1', { error: 'format must be "redwall-registry/1"' }),
    devices: z
      .array(z.object({ device: z.string(), entity: z.string(), source: z.string().optional(), note: z.string().max(200).optional() }).strict())
      .max(200_000),
  })
  .strict();

function checkRow(
  device: string,
  entity: string,
  source: string | undefined,
  row: number,
  where: string,
  errors: string[],
  seen: Map<string, number>,
): RegistryEntry | null {
  const before = errors.length;
  if (!deviceRe.test(device)) errors.push(`${where}: device id must be 1-128 printable characters (got ${JSON.stringify(device.slice(0, 40))})`);
  const type = entityType(entity);
  if (!type)
    errors.push(
      `${where}: entity ${JSON.stringify(entity.slice(0, 40))} is not a district entity id (MH-00001, SD-12-3-1, PL-001, RS-00001, CR-00001, CAM-0001, SOS-001)`,
    );
  if (source !== undefined && !sourceRe.test(source)) errors.push(`${where}: source ${JSON.stringify(source.slice(0, 40))} is not a source id`);
  if (errors.length > before || !type) return null;
  const key = `${source ?? ''}\u0000${device}`;
  const prev = seen.get(key);
  if (prev !== undefined) {
    errors.push(`${where}: device ${JSON.stringify(device)} is already mapped in row ${prev}`);
    return null;
  }
  seen.set(key, row);
  return { device, entity, type, ...(source !== undefined ? { source } : {}), row };
}

/** Splits one CSV line (RFC 4180 quotes; no line breaks inside a field). */
function splitCsv(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        if (i >= line.length) return null;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            v += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += line[i++];
      }
      out.push(v);
      if (i < line.length && line[i] !== ',') return null;
    } else {
      const j = line.indexOf(',', i);
      out.push((j < 0 ? line.slice(i) : line.slice(i, j)).trim());
      i = j < 0 ? line.length : j;
    }
    if (i >= line.length) return out;
    i++;
  }
}

/** Parses a registry file (CSV or JSON by content). Never throws; errors name the file and row. */
export function parseRegistry(text: string, fileName: string): RegistryParse {
  const body = text.replace(/^\uFEFF/, '');
  const errors: string[] = [];
  const entries: RegistryEntry[] = [];
  const seen = new Map<string, number>();
  if (body.trimStart().startsWith('{')) {
    let raw: unknown;
    try {
      raw = JSON.parse(body);
    } catch (e) {
      return { ok: false, errors: [`${fileName}: not JSON: ${(e as Error).message.slice(0, 200)}`] };
    }
    const r = JsonRegistry.safeParse(raw);
    if (!r.success) {
      return {
        ok: false,
        errors: r.error.issues.slice(0, 50).map((i) => {
          const [a, b, ...rest] = i.path;
          const where =
            a === 'devices' && typeof b === 'number' ? `devices[${b}] (row ${b + 1})${rest.length ? `.${rest.join('.')}` : ''}` : i.path.join('.') || '(root)';
          return `${fileName}: ${where}: ${i.message}`;
        }),
      };
    }
    r.data.devices.forEach((d, i) => {
      const e = checkRow(d.device, d.entity, d.source, i + 1, `${fileName}: devices[${i}] (row ${i + 1})`, errors, seen);
      if (e) entries.push(e);
    });
  } else {
    const lines = body.split(/\r?\n/);
    const header = splitCsv(lines[0] ?? '')?.map((h) => h.toLowerCase());
    const di = header?.indexOf('device') ?? -1;
    const ei = header?.indexOf('entity') ?? -1;
    const si = header?.indexOf('source') ?? -1;
    if (!header || di < 0 || ei < 0)
      return { ok: false, errors: [`${fileName}: line 1: the header must name the columns device and entity (and optionally source, note)`] };
    for (let n = 1; n < lines.length; n++) {
      const line = lines[n]!;
      if (line.trim() === '' || line.startsWith('#')) continue;
      const where = `${fileName}: line ${n + 1}`;
      const cells = splitCsv(line);
      if (!cells) {
        errors.push(`${where}: unbalanced quotes`);
        continue;
      }
      if (cells.length !== header.length) {
        errors.push(`${where}: ${cells.length} columns, the header has ${header.length}`);
        continue;
      }
      const src = si >= 0 && cells[si] !== '' ? cells[si] : undefined;
      const e = checkRow(cells[di]!, cells[ei]!, src, n + 1, where, errors, seen);
      if (e) entries.push(e);
    }
  }
  if (errors.length)
    return { ok: false, errors: errors.slice(0, 100).concat(errors.length > 100 ? [`${fileName}: … and ${errors.length - 100} more errors`] : []) };
  return { ok: true, entries };
}

/**
 * Checks every entry against the district and fills in what drafts need. Entries naming an entity the district does
 * not have are errors (row named), so a typo is found when the file is loaded, not when an alarm goes missing.
 */
export function resolveRegistry(
  entries: RegistryEntry[],
  district: DistrictEntities,
  fileName: string,
): { ok: true; registry: Registry } | { ok: false; errors: string[] } {
  const index = new Map<string, Partial<RegistryEntry>>();
  for (const w of district.wells) index.set(w.id, { lon: w.lon, lat: w.lat });
  for (const d of district.detectors) index.set(d.id, { lon: d.lon, lat: d.lat, buildingId: d.buildingId, floor: d.floor });
  for (const p of district.parking) index.set(p.id, { lon: p.lon, lat: p.lat, capacity: p.capacity });
  for (const c of district.care) index.set(c.id, { lon: c.lon, lat: c.lat, buildingId: c.buildingId, careDevice: c.device });
  for (const c of district.cameras) index.set(c.id, { lon: c.lon, lat: c.lat });
  for (const s of district.sos) index.set(s.id, { lon: s.lon, lat: s.lat });
  const errors: string[] = [];
  const out: RegistryEntry[] = [];
  for (const e of entries) {
    const found = index.get(e.entity);
    if (!found) errors.push(`${fileName}: row ${e.row}: device ${JSON.stringify(e.device)} → ${e.entity}: the district has no such ${e.type}`);
    else out.push({ ...e, ...found });
  }
  if (errors.length) return { ok: false, errors: errors.slice(0, 100) };
  return { ok: true, registry: buildRegistry(out) };
}

/** A lookup over entries (resolved or not: unresolved entries lack positions, and drafts needing them are quarantined). */
export function buildRegistry(entries: RegistryEntry[]): Registry {
  const byKey = new Map<string, RegistryEntry>();
  for (const e of entries) byKey.set(`${e.source ?? ''}\u0000${e.device}`, e);
  return { byKey, size: byKey.size };
}

export function lookupDevice(reg: Registry, source: string, device: string): RegistryEntry | undefined {
  return reg.byKey.get(`${source}\u0000${device}`) ?? reg.byKey.get(`\u0000${device}`);
}

/** Rows whose `source` names no source of the sources file (a typo there would leave the device unknown). */
export function checkRegistrySources(entries: RegistryEntry[], sourceIds: Iterable<string>, fileName: string): string[] {
  const ids = new Set(sourceIds);
  return entries
    .filter((e) => e.source !== undefined && !ids.has(e.source))
    .map((e) => `${fileName}: row ${e.row}: source "${e.source}" is not in the sources file (${[...ids].join(', ')})`);
}
