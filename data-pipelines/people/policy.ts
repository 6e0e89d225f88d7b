/**
 * Personal-data policy of the people service: masking (what every role sees by default), roles (who may see a whole
 * record, and of whom) and the elderly-benefit rules. Pure, unit-tested; enforced on the server (people/service.ts):
 * the renderer never receives an unmasked field unless the server decided it may, for one record, and audited it.
 */
import { ageOn, type Resident } from './population.ts';

/** 张三丰 -> 张*丰, 张三 -> 张*, 欧阳娜娜 -> 欧**娜 (common practice for Chinese names). */
export function maskName(n: string): string {
  const c = [...n];
  if (c.length <= 1) return '*';
  if (c.length === 2) return `${c[0]}*`;
  return `${c[0]}${'*'.repeat(c.length - 2)}${c[c.length - 1]}`;
}

/** 110105195811230017 -> 110105********0017: region kept (where), birth date and sequence hidden. */
export function maskIdNumber(id: string): string {
  return id.length === 18 ? `${id.slice(0, 6)}********${id.slice(14)}` : '*'.repeat(id.length);
}

/** 13812345678 -> 138****5678 */
export function maskPhone(p: string): string {
  return p.length === 11 ? `${p.slice(0, 3)}****${p.slice(7)}` : '*'.repeat(p.length);
}

export const ROLES = ['operator', 'grid-staff', 'civil-affairs', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  name: string;
  role: Role;
  /** grid-staff: the grid cells they look after */
  grids?: string[];
}

/**
 * May `user` see the whole (unmasked) record of `r`? Operators and auditors never; grid staff for residents of their
 * own grids; civil-affairs staff for the elderly (60+) and residents with a benefit flag (their case load). A reason is
 * required in every case (checked by the service) and every attempt is audited, allowed or not.
 */
export function mayUnmask(user: User, r: Resident, today: string): boolean {
  switch (user.role) {
    case 'grid-staff':
      return (user.grids ?? []).includes(r.gridId);
    case 'civil-affairs':
      return ageOn(r.birth, today) >= 60 || r.disability > 0 || r.lowIncome;
    case 'operator':
    case 'auditor':
      return false;
  }
}

/**
 * May `user` see the (masked) list of vulnerable people in an alarm's zone? Operators and civil-affairs staff yes (they
 * send help); grid staff for their own grids (the service filters); auditors see the counts only.
 */
export function mayListVulnerable(user: User): boolean {
  return user.role !== 'auditor';
}

export function mayReadAudit(user: User): boolean {
  return user.role === 'auditor';
}

/**
 * Elderly benefits ("four cards, three vouchers"): a configurable rule table. The demo rules below are modelled on
 * Beijing's programmes (the 养老助残卡 from 60, the old-age allowance from 80, subsidies for low-income and disabled
 * elders) but the names, thresholds and the exact set a district calls its "four cards and three vouchers" must be
 * confirmed with the local civil-affairs office: edit this table, not the code.
 */
export interface BenefitRule {
  id: string;
  kind: 'card' | 'voucher';
  minAge: number;
  needs?: { lowIncome?: boolean; disability?: boolean; livingAlone?: boolean };
}

export const DEMO_BENEFITS: readonly BenefitRule[] = [
  { id: 'elderly-card', kind: 'card', minAge: 60 },
  { id: 'senior-transit', kind: 'card', minAge: 65 },
  { id: 'longevity-allowance', kind: 'card', minAge: 80 },
  { id: 'disability-card', kind: 'card', minAge: 60, needs: { disability: true } },
  { id: 'care-voucher', kind: 'voucher', minAge: 60, needs: { lowIncome: true } },
  { id: 'meal-voucher', kind: 'voucher', minAge: 80 },
  { id: 'home-visit-voucher', kind: 'voucher', minAge: 60, needs: { livingAlone: true } },
];

/** The benefits `r` is eligible for on `on` (YYYY-MM-DD). */
export function eligibleBenefits(
  r: Pick<Resident, 'birth' | 'lowIncome' | 'disability' | 'livingAlone'>,
  on: string,
  rules: readonly BenefitRule[] = DEMO_BENEFITS,
): string[] {
  const age = ageOn(r.birth, on);
  return rules
    .filter(
      (b) => age >= b.minAge && (!b.needs?.lowIncome || r.lowIncome) && (!b.needs?.disability || r.disability > 0) && (!b.needs?.livingAlone || r.livingAlone),
    )
    .map((b) => b.id);
}

/** The day `r` turns `age` (YYYY-MM-DD; 29 Feb birthdays turn on 1 Mar in common years). */
export function birthdayAt(birth: string, age: number): string {
  const [y, m, d] = birth.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y + age, m - 1, d));
  return t.toISOString().slice(0, 10);
}

/** Days from `from` to `to` (both YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86400_000);
}
