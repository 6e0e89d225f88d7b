/**
 * Synthetic population tied to real residential buildings (以房管人): households per building come from the data
 * package (`demand_sources`: floor area / 120 m² in buildings inside real compound outlines); each household gets a
 * composition, members get ages, names, ID numbers and flags. Everything is generated from a fixed seed per building —
 * deterministic, and fictitious: no real person's data exists anywhere in this product. It lives in the feed server's
 * memory only (never in the renderer's data package); the renderer sees masked rows and aggregates (people/service.ts).
 *
 * The shape is modelled on Beijing's central districts (2020 census: about a quarter of residents 60+ in the old
 * inner districts, 2.3–2.5 people per household): a model, not statistics.
 */

import type { Resident } from '../contracts/people.ts';
import { rng } from '../shared/rng.ts';

export interface HomeSource {
  buildingId: number;
  compoundId: number;
  households: number;
  gridId: string;
  lon: number;
  lat: number;
  /** the building's floors (homes are spread over them evenly, from the ground up); unknown: no floor per resident */
  floors?: number;
}

export type { Resident } from '../contracts/people.ts';

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'; // i18n-exempt: synthetic-name data
const GIVEN =
  '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英玉兰建华志强国庆淑珍凤英秀珍建国海燕丽娟红梅晓东宇轩子涵欣怡浩然梓萱一诺雨桐俊杰思远佳琪文博嘉怡'; // i18n-exempt: synthetic-name data

function pick<T>(r: () => number, list: readonly T[] | string): T {
  return list[Math.floor(r() * list.length)] as T;
}

/** A synthetic staff name for a grid cell (grid staff are public: their names are on the grid's notice board). */
export function gridStaffName(gridId: string, seed = 20261123): string {
  let h = seed;
  for (const ch of gridId) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return name(rng(h));
}

function name(r: () => number): string {
  const s = pick<string>(r, SURNAMES);
  const n = r() < 0.35 ? 1 : 2;
  let g = '';
  for (let i = 0; i < n; i++) g += pick<string>(r, GIVEN);
  return s + g;
}

/** GB 11643-1999 check digit (ISO 7064 MOD 11-2) of the first 17 digits. */
export function idCheckDigit(first17: string): string {
  const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * W[i]!;
  return '10X98765432'[sum % 11]!;
}

export function isValidIdNumber(id: string): boolean {
  return /^\d{17}[\dX]$/.test(id) && idCheckDigit(id.slice(0, 17)) === id[17];
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** Age in whole years on `on` (both YYYY-MM-DD). */
export function ageOn(birth: string, on: string): number {
  const [by, bm, bd] = birth.split('-').map(Number) as [number, number, number];
  const [y, m, d] = on.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

type Member = { age: number; gender?: 'M' | 'F' };
/** Household compositions and their shares (people per household ≈ 2.45; 60+ ≈ 24 % of residents). */
const COMPOSITIONS: Array<{ share: number; make: (r: () => number) => Member[] }> = [
  { share: 0.09, make: (r) => [{ age: 62 + Math.floor(r() * 32) }] }, // elderly living alone
  {
    share: 0.13,
    make: (r) => {
      const a = 60 + Math.floor(r() * 28);
      return [
        { age: a, gender: 'M' },
        { age: Math.max(58, a - 3 + Math.floor(r() * 5)), gender: 'F' },
      ];
    },
  },
  {
    share: 0.18,
    make: (r) => {
      const a = 25 + Math.floor(r() * 40);
      return [
        { age: a, gender: 'M' },
        { age: Math.max(22, a - 2 + Math.floor(r() * 4)), gender: 'F' },
      ];
    },
  },
  {
    share: 0.36,
    make: (r) => {
      const a = 30 + Math.floor(r() * 28);
      const kids = r() < 0.7 ? 1 : 2;
      return [
        { age: a, gender: 'M' },
        { age: a - 1, gender: 'F' },
        ...Array.from({ length: kids }, () => ({ age: Math.max(0, a - 24 - Math.floor(r() * 10)) })),
      ];
    },
  },
  {
    share: 0.12,
    make: (r) => {
      const g = 62 + Math.floor(r() * 25);
      const p = g - 26 - Math.floor(r() * 6);
      return [{ age: g }, { age: p, gender: 'M' }, { age: p - 2, gender: 'F' }, { age: Math.max(0, p - 27 - Math.floor(r() * 8)) }];
    },
  },
  { share: 0.12, make: (r) => [{ age: 20 + Math.floor(r() * 40) }] }, // single adult
];

/**
 * The residents of every home source on `refDate` (YYYY-MM-DD: the ages are as of that day; birth dates follow).
 * Ids: R-<building>-<household>-<member>, H-<building>-<household>.
 */
export function generatePopulation(homes: readonly HomeSource[], refDate: string, seed = 20261123): Resident[] {
  const out: Resident[] = [];
  for (const batch of populationBatches(homes, refDate, seed)) out.push(...batch);
  return out;
}

/**
 * The same population in batches of one building each, so a server can generate it between other work (yielding to
 * its event loop: a quarter of a million people take ~1.5 s, and an alarm must not wait for them).
 */
export function* populationBatches(homes: readonly HomeSource[], refDate: string, seed = 20261123): Generator<Resident[]> {
  const [ry, rm, rd] = refDate.split('-').map(Number) as [number, number, number];
  const ref = Date.UTC(ry, rm - 1, rd);
  let seq = 0;
  for (const home of homes) {
    const out: Resident[] = [];
    const r = rng(seed ^ Math.imul(home.buildingId + 1, 2654435761));
    // old inner-district addresses (west of the 2nd ring's east side) belong to Dongcheng, the rest to Chaoyang
    const region = home.lon < 116.434 ? '110101' : '110105';
    for (let h = 0; h < home.households; h++) {
      let x = r();
      let comp = COMPOSITIONS[COMPOSITIONS.length - 1]!;
      for (const c of COMPOSITIONS) {
        if (x < c.share) {
          comp = c;
          break;
        }
        x -= c.share;
      }
      const members = comp.make(r);
      const lowIncome = r() < 0.03;
      const phoneBase = `1${pick<string>(r, ['3', '5', '8', '9'])}${Math.floor(r() * 10)}`;
      members.forEach((m, i) => {
        const gender = m.gender ?? (r() < 0.5 ? 'M' : 'F');
        // birthday: `age` full years before refDate, plus 0–364 days earlier
        const b = new Date(ref - Math.floor(r() * 365) * 86400_000);
        b.setUTCFullYear(b.getUTCFullYear() - m.age);
        const birth = `${b.getUTCFullYear()}-${pad(b.getUTCMonth() + 1, 2)}-${pad(b.getUTCDate(), 2)}`;
        seq++;
        const order = (seq % 499) * 2 + (gender === 'M' ? 1 : 0); // odd = male (GB 11643)
        const first17 = `${region}${birth.replace(/-/g, '')}${pad(order % 1000, 3)}`;
        const elderly = m.age >= 60;
        const disabled = r() < (elderly ? 0.06 : 0.015);
        out.push({
          residentId: `R-${home.buildingId}-${h + 1}-${i + 1}`,
          householdId: `H-${home.buildingId}-${h + 1}`,
          buildingId: home.buildingId,
          ...(home.floors && home.floors > 0 ? { floor: 1 + Math.floor((h * home.floors) / home.households) } : {}),
          compoundId: home.compoundId,
          gridId: home.gridId,
          lon: home.lon,
          lat: home.lat,
          name: name(r),
          idNumber: first17 + idCheckDigit(first17),
          gender,
          birth,
          phone: `${phoneBase}${pad(Math.floor(r() * 1e8), 8)}`,
          livingAlone: elderly && members.length === 1,
          disability: disabled ? ((1 + Math.floor(r() * 4)) as 1 | 2 | 3 | 4) : 0,
          lowIncome,
        });
      });
    }
    yield out;
  }
}
