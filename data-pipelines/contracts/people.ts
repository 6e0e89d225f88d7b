/**
 * People service wire contract (renderer <-> feed server, over the authenticated socket): requests validated with zod
 * on the server, answers typed here. Rows are masked unless the server decided otherwise for one record (unmask:
 * role + reason, audited). The renderer imports this, never the server's people/ code.
 */
import { z } from 'zod';

export const PeopleRequest = z.discriminatedUnion('op', [
  z.object({ op: z.literal('me') }).strict(),
  z
    .object({ op: z.literal('turning'), age: z.number().int().min(0).max(120), days: z.number().int().min(1).max(366), grid: z.string().max(32).optional() })
    .strict(),
  z.object({ op: z.literal('view'), residentId: z.string().min(1).max(64) }).strict(),
  z.object({ op: z.literal('unmask'), residentId: z.string().min(1).max(64), reason: z.string().max(200) }).strict(),
  z.object({ op: z.literal('density') }).strict(),
  /** who wears / has the care device (masked; audited as a view of that person) */
  z.object({ op: z.literal('holder'), deviceId: z.string().regex(/^CR-\d{5}$/, 'care device id has the wrong shape') }).strict(),
  /** who lives in these buildings (an alarm's impact zone, issue 22): counts, and the masked vulnerable list if allowed */
  z
    .object({
      op: z.literal('inside'),
      buildingIds: z.array(z.number().int()).min(1).max(3000),
      alarmId: z.string().min(1).max(128).optional(),
      /** a fire: its building and floor; the answer counts who lives on that floor and above (smoke rises) */
      above: z
        .object({ buildingId: z.number().int(), floor: z.number().int().min(-10).max(200) })
        .strict()
        .optional(),
    })
    .strict(),
]);
export type PeopleRequest = z.infer<typeof PeopleRequest>;

export interface MaskedResident {
  residentId: string;
  householdId: string;
  /** the floor of the home, where known (responders need it: a fire below, water in a basement) */
  floor?: number;
  name: string;
  idNumber: string;
  phone: string;
  gender: 'M' | 'F';
  age: number;
  /** MM-DD: enough to bring the card on the day, not the birth year */
  birthday: string;
  buildingId: number;
  gridId: string;
  lon: number;
  lat: number;
  livingAlone: boolean;
  disabled: boolean;
  lowIncome: boolean;
  benefits: string[];
  masked: true;
}

export interface TurningRow extends MaskedResident {
  /** YYYY-MM-DD the birthday falls on */
  turnsOn: string;
  inDays: number;
}

/** One person as the population holds them (server side only; the wire carries it only inside FullResident). */
export interface Resident {
  residentId: string;
  householdId: string;
  buildingId: number;
  /** the floor of the home (households spread over the building's floors from the ground up), where known */
  floor?: number;
  compoundId: number;
  gridId: string;
  lon: number;
  lat: number;
  name: string;
  /** 18-digit resident ID (GB 11643) with a valid check digit; region and birth date consistent */
  idNumber: string;
  gender: 'M' | 'F';
  /** YYYY-MM-DD */
  birth: string;
  phone: string;
  /** aged 60+ and the only member of the household */
  livingAlone: boolean;
  /** 0 = none, 1–4 = disability certificate grade (1 most severe) */
  disability: 0 | 1 | 2 | 3 | 4;
  /** minimum living allowance (低保) or low-income household */
  lowIncome: boolean;
}

/** A whole record: only ever sent for one person, to a role allowed to see them, with a reason (audited). */
export interface FullResident extends Resident {
  age: number;
  benefits: string[];
  masked: false;
}

export interface GridDensity {
  gridId: string;
  /** the grid's staff member (public: on the grid's notice board; synthetic in the demo) */
  staff: string;
  residents: number;
  elderly: number;
  over80: number;
  aloneElderly: number;
}

/** Who lives in a building or a grid's part of a zone: counts only (no personal data). */
export interface InsideCounts {
  residents: number;
  /** aged 60+ */
  elderly: number;
  /** 60+ and the only member of the household */
  alone: number;
  /** with a disability certificate */
  disabled: number;
}

/** The answer to `inside`: per building and per grid (with its staff member), and the vulnerable people, masked. */
export interface InsideAnswer {
  buildings: Array<InsideCounts & { buildingId: number }>;
  grids: Array<InsideCounts & { gridId: string; staff: string }>;
  total: InsideCounts;
  /** asked with `above`: who lives on the fire's floor and above in its building (homes without a floor are not in it) */
  above?: InsideCounts & { buildingId: number; floor: number };
  /**
   * the elderly living alone, the disabled and the over-80s, alone first then oldest, masked; null when this role sees
   * counts only (auditors); grid staff get their own grids' people only
   */
  vulnerable: MaskedResident[] | null;
  /** more vulnerable people than the list carries */
  truncated: boolean;
}

export interface PeopleUser {
  name: string;
  role: 'operator' | 'grid-staff' | 'civil-affairs' | 'auditor';
  grids?: string[];
}

export type PeopleAnswer =
  | { ok: true; op: 'me'; user: PeopleUser }
  | { ok: true; op: 'turning'; today: string; rows: TurningRow[] }
  | { ok: true; op: 'view'; resident: MaskedResident }
  | { ok: true; op: 'unmask'; resident: FullResident }
  | { ok: true; op: 'density'; grids: GridDensity[] }
  | { ok: true; op: 'holder'; deviceId: string; resident: MaskedResident | null }
  | ({ ok: true; op: 'inside' } & InsideAnswer)
  | { ok: false; status: 400 | 403 | 404; error: string };
