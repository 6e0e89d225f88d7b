/**
 * UI strings and locale formatting. zh-CN is the default, English complete. Every user-visible string lives in a
 * catalog under ./i18n/ (one per area, keys prefixed by area); no Chinese literal outside them (checked by
 * tests/unit/i18n.test.ts), and every key in every locale with the same placeholders.
 *
 * The current locale is a MobX observable: a reaction that calls t() (or locale()) re-runs when the language changes.
 * Errors a user may see are LocalizedErrors (catalog key + values): their message is in the language current when
 * they were thrown, and errorText() renders them again in the language current when they are shown.
 */
import { observable, runInAction } from 'mobx';
import type { Catalog } from './i18n/catalog.ts';
import core from './i18n/core.ts';
import alarmsStrings from './i18n/alarms.ts';
import analysisStrings from './i18n/analysis.ts';
import drillStrings from './i18n/drill.ts';
import evacuationStrings from './i18n/evacuation.ts';
import importStrings from './i18n/import.ts';
import layoutsStrings from './i18n/layouts.ts';
import consoleStrings from './i18n/console.ts';
import layersStrings from './i18n/layers.ts';
import wallStrings from './i18n/wall.ts';
import peopleStrings from './i18n/people.ts';
import gridStrings from './i18n/grid.ts';
import authStrings from './i18n/auth.ts';
import importerStrings from './i18n/importer.ts';
import workStrings from './i18n/work.ts';
import sourcesStrings from './i18n/sources.ts';
import videoStrings from './i18n/video.ts';
import responseStrings from './i18n/response.ts';
import searchStrings from './i18n/search.ts';
import placeStrings from './i18n/place.ts';
import modelStrings from './i18n/model.ts';

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** All catalogs; a key may be defined in one catalog only. */
export const CATALOGS = {
  core,
  alarms: alarmsStrings,
  analysis: analysisStrings,
  drill: drillStrings,
  evacuation: evacuationStrings,
  import: importStrings,
  layouts: layoutsStrings,
  console: consoleStrings,
  layers: layersStrings,
  wall: wallStrings,
  people: peopleStrings,
  grid: gridStrings,
  importer: importerStrings,
  auth: authStrings,
  work: workStrings,
  sources: sourcesStrings,
  video: videoStrings,
  response: responseStrings,
  search: searchStrings,
  place: placeStrings,
  model: modelStrings,
} as const;

type Keys<C> = C extends Catalog<infer K> ? K : never;
export type StringKey = { [A in keyof typeof CATALOGS]: Keys<(typeof CATALOGS)[A]> }[keyof typeof CATALOGS];

function merge(l: Locale): Readonly<Record<StringKey, string>> {
  const out: Record<string, string> = {};
  for (const c of Object.values(CATALOGS) as Catalog[]) Object.assign(out, c[l]);
  return out as Record<StringKey, string>;
}
export const STRINGS: Record<Locale, Readonly<Record<StringKey, string>>> = { 'zh-CN': merge('zh-CN'), en: merge('en') };

const current = observable.box<Locale>('zh-CN');
export function setLocale(l: Locale): void {
  runInAction(() => current.set(l));
}
/** The current locale (observed by MobX reactions that read it). */
export function locale(): Locale {
  return current.get();
}

export type MessageVars = Record<string, string | number>;

/** The message for `key` in the current locale (or `l`), placeholders filled. */
export function t(key: StringKey, vars?: MessageVars, l: Locale = locale()): string {
  const msg = STRINGS[l][key] ?? STRINGS['zh-CN'][key] ?? key;
  return vars ? formatMessage(msg, vars, l) : msg;
}

/** Both languages of a key (for bilingual exports such as the printable report). */
export function tBoth(key: StringKey, vars?: MessageVars): string {
  const zh = t(key, vars, 'zh-CN');
  const en = t(key, vars, 'en');
  return zh === en ? zh : `${zh} ${en}`;
}

const pluralRules = new Map<Locale, Intl.PluralRules>();
/** Fills `{name}` and `{name, plural, one {…} other {…}}` (nesting of `{}` inside a branch: one level). */
export function formatMessage(msg: string, vars: MessageVars, l: Locale = locale()): string {
  const value = (name: string): string => {
    const v = vars[name];
    if (v === undefined) return `{${name}}`;
    return typeof v === 'number' ? fmtNumber(v, Number.isInteger(v) ? 0 : 1, l) : v;
  };
  return msg.replace(
    /\{(\w+), plural,((?:[^{}]|\{[^{}]*\})*)\}|\{(\w+)\}/g,
    (_m, pName: string | undefined, branches: string | undefined, name: string | undefined) => {
      if (name) return value(name);
      const n = Number(vars[pName!]);
      let rules = pluralRules.get(l);
      if (!rules) pluralRules.set(l, (rules = new Intl.PluralRules(l)));
      const forms = new Map<string, string>();
      for (const m of branches!.matchAll(/(=\d+|zero|one|two|few|many|other)\s*\{([^{}]*)\}/g)) forms.set(m[1]!, m[2]!);
      const text = forms.get(`=${n}`) ?? forms.get(rules.select(n)) ?? forms.get('other') ?? '';
      return text.replace(/#/g, fmtNumber(n, Number.isInteger(n) ? 0 : 1, l));
    },
  );
}

/**
 * An error a user may see, as a catalog key and its values. `message` is rendered when thrown (in the current
 * locale, so code that only knows Error still shows a translated text); errorText() renders it again at display time.
 */
export class LocalizedError extends Error {
  constructor(
    readonly key: StringKey,
    readonly vars: MessageVars = {},
  ) {
    super(t(key, vars));
    this.name = new.target.name;
  }

  text(l: Locale = locale()): string {
    return t(this.key, this.vars, l);
  }
}

/** What to show for a caught error: a LocalizedError in the current (or given) locale, else the error's message. */
export function errorText(e: unknown, l: Locale = locale()): string {
  if (e instanceof LocalizedError) return e.text(l);
  return e instanceof Error ? e.message : String(e);
}

/** Placeholder names of a message (the test compares them across locales). */
export function placeholders(msg: string): string[] {
  return [...msg.matchAll(/\{(\w+)(?:, plural,|\})/g)].map((m) => m[1]!).sort();
}

/**
 * Intl formatters, one per locale and options: `toLocaleString(l, opts)` builds a new formatter on every call (tens of
 * microseconds each; thousands per alarm-list or panel redraw under a flood, issue 24). Same output.
 */
const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function cached<F extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => F): F {
  let f = formatters.get(key) as F | undefined;
  if (!f) formatters.set(key, (f = make()));
  return f;
}
/**
 * A date formatter keeps the time zone it was made in: the system's zone is looked at again at most once a minute
 * (a machine moved to another zone, or set right, during a shift), and the formatters are made anew when it changed.
 */
let zone = { name: '', checkedAt: -Infinity };
const ZONE_CHECK_MS = 60_000;
function zoneChecked(now: number = Date.now()): void {
  if (Math.abs(now - zone.checkedAt) < ZONE_CHECK_MS) return;
  const name = new Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone.name && name !== zone.name) for (const key of [...formatters.keys()]) if (key.startsWith('d|')) formatters.delete(key);
  zone = { name, checkedAt: now };
}
const numberFormat = (l: Locale, opts: Intl.NumberFormatOptions) => cached(`n|${l}|${JSON.stringify(opts)}`, () => new Intl.NumberFormat(l, opts));
const dateFormat = (l: Locale, opts: Intl.DateTimeFormatOptions) => {
  zoneChecked();
  return cached(`d|${l}|${JSON.stringify(opts)}`, () => new Intl.DateTimeFormat(l, opts));
};

export function fmtNumber(n: number, digits = 0, l: Locale = locale()): string {
  return numberFormat(l, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(n);
}
/** 0.4231 -> "42.3%" (locale style). */
export function fmtPercent(ratio: number, digits = 1, l: Locale = locale()): string {
  return numberFormat(l, { style: 'percent', maximumFractionDigits: digits, minimumFractionDigits: digits }).format(ratio);
}
/** Wall-clock time, 24 h: 14:03:07 (00:05, never "24:05" as `hour12: false` gives in English). */
export function fmtTime(ts: number, l: Locale = locale()): string {
  return dateFormat(l, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(ts);
}
/** Hours and minutes, 24 h: 14:03 (00:05 after midnight in both languages; chart axes). */
export function fmtHourMinute(ts: number, l: Locale = locale()): string {
  return dateFormat(l, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ts);
}
/** Date: 2026年11月23日 / 23 Nov 2026 style per locale. */
export function fmtDate(ts: number, l: Locale = locale()): string {
  return dateFormat(l, { year: 'numeric', month: 'short', day: 'numeric' }).format(ts);
}
/** Date and time, minutes: 2026/11/23 14:03 / 23 Nov 2026, 14:03. */
export function fmtDateTime(ts: number, l: Locale = locale()): string {
  return dateFormat(l, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ts);
}
/** A short list: "A、B、C" / "A, B, C". */
export function fmtList(items: readonly string[], l: Locale = locale()): string {
  return new Intl.ListFormat(l, { type: 'conjunction', style: 'narrow' }).format(items);
}
/** A duration in seconds: "3 分 20 秒" / "3 min 20 s"; hours and minutes when long. */
export function fmtDuration(seconds: number, l: Locale = locale()): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h) return t('core.duration.hm', { h, m }, l);
  if (m) return t('core.duration.ms', { m, s: r }, l);
  return t('core.duration.s', { s: r }, l);
}
