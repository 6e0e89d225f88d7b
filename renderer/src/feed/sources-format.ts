/**
 * Pure presentation of the connected sources' health (contracts/sources.ts; the sources panel and the trouble badge):
 * state → badge tone and label, message age, rate. Unit-tested (tests/unit/sources-panel.test.ts).
 */
import type { SourceState, SourceStatus } from '../../../data-pipelines/contracts/sources.ts';
import { fmtNumber, locale, t, type Locale, type StringKey } from '../i18n.ts';

export type SourceTone = 'ok' | 'warn' | 'bad';

/** connected/listening green, connecting/reconnecting amber, quiet/failing red */
export const SOURCE_TONE: Record<SourceState, SourceTone> = {
  connected: 'ok',
  listening: 'ok',
  connecting: 'warn',
  reconnecting: 'warn',
  quiet: 'bad',
  failing: 'bad',
};

/** The coloured badge of a source's state: its CSS class and the catalog key of its label. */
export function stateBadge(state: SourceState): { cls: string; tone: SourceTone; key: StringKey } {
  const tone = SOURCE_TONE[state];
  return { cls: `src-state ${tone}`, tone, key: `sources.state.${state}` };
}

/** States the operator must notice without opening the panel (a first `connecting` is not trouble yet). */
export const TROUBLE_STATES: readonly SourceState[] = ['quiet', 'failing', 'reconnecting'];

export function isTrouble(s: Pick<SourceStatus, 'state'>): boolean {
  return TROUBLE_STATES.includes(s.state);
}

/**
 * How long ago a source's last message was, now, by this page's clock: the age the server saw when it sent the status
 * (its own clock on both sides: no skew between server and page) plus the time since the status arrived here.
 * null: never a message.
 */
export function messageAgeMs(lastMessageAt: number | null, statusTs: number, receivedAt: number, now: number): number | null {
  if (lastMessageAt === null) return null;
  return Math.max(0, statusTs - lastMessageAt) + Math.max(0, now - receivedAt);
}

/** "12 s ago" / "12 秒前"; minutes, hours, then days; "never" for null. */
export function fmtAgo(ms: number | null, l: Locale = locale()): string {
  if (ms === null || !Number.isFinite(ms)) return t('sources.never', undefined, l);
  const s = Math.floor(Math.max(0, ms) / 1000);
  if (s < 1) return t('sources.justNow', undefined, l);
  if (s < 60) return t('sources.agoS', { n: s }, l);
  if (s < 3600) return t('sources.agoMin', { n: Math.floor(s / 60) }, l);
  if (s < 48 * 3600) return t('sources.agoH', { n: Math.floor(s / 3600) }, l);
  return t('sources.agoD', { n: Math.floor(s / 86_400) }, l);
}

/** Messages per second: "0", "<0.1", one decimal below 10, whole numbers above ("12.5 msg/s", "1,204 msg/s"). */
export function fmtRate(perS: number, l: Locale = locale()): string {
  const r = Number.isFinite(perS) && perS > 0 ? perS : 0;
  const text = r === 0 ? '0' : r < 0.1 ? '<0.1' : r < 10 ? fmtNumber(Math.round(r * 10) / 10, 1, l) : fmtNumber(Math.round(r), 0, l);
  return t('sources.rate', { rate: text }, l);
}

/** Quarantine counts by reason, largest first (ties by reason). */
export function reasonRows(byReason: Readonly<Record<string, number>>): Array<{ reason: string; count: number }> {
  return Object.entries(byReason)
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

/** Quarantine reasons the gateway gives (data-pipelines/sources/mapping.ts QUARANTINE_REASONS), in the UI language. */
const REASON_KEYS: Record<string, StringKey> = {
  'too-large': 'sources.reason.too-large',
  'no-route': 'sources.reason.no-route',
  'bad-json': 'sources.reason.bad-json',
  'bad-batch': 'sources.reason.bad-batch',
  'bad-payload': 'sources.reason.bad-payload',
  'no-device': 'sources.reason.no-device',
  'unknown-device': 'sources.reason.unknown-device',
  'wrong-entity': 'sources.reason.wrong-entity',
  'incomplete-entity': 'sources.reason.incomplete-entity',
  'missing-value': 'sources.reason.missing-value',
  'wrong-type': 'sources.reason.wrong-type',
  'unmapped-value': 'sources.reason.unmapped-value',
  'out-of-range': 'sources.reason.out-of-range',
  'invalid-event': 'sources.reason.invalid-event',
  'internal-error': 'sources.reason.internal-error',
  // notes, not quarantine: the reading was kept with the received time
  'clock-skew': 'sources.reason.clock-skew',
  'time-unreadable': 'sources.reason.time-unreadable',
};

/** A quarantine reason's label; a reason this renderer does not know (a newer gateway) is shown as sent. */
export function reasonLabel(reason: string, l: Locale = locale()): string {
  const key = Object.hasOwn(REASON_KEYS, reason) ? REASON_KEYS[reason] : undefined;
  return key ? t(key, undefined, l) : reason;
}
