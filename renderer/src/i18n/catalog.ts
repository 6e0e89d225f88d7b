/**
 * A message catalog: one object per locale with the same keys (the English object's type is derived from the
 * Chinese one, so a missing or extra key is a compile error; tests/unit/i18n.test.ts checks it at run time too,
 * plus matching placeholders).
 *
 * Message syntax (an ICU MessageFormat subset):
 * - `{name}` is replaced by the value; numbers are formatted for the locale (thousands separators).
 * - `{n, plural, one {# tile} other {# tiles}}` picks by Intl.PluralRules; `#` is the formatted number.
 *   Chinese needs no plural forms: write `{n} 张` there.
 */
export interface Catalog<K extends string = string> {
  'zh-CN': Readonly<Record<K, string>>;
  en: Readonly<Record<K, string>>;
}

export function defineCatalog<const Z extends Record<string, string>>(zh: Z, en: { readonly [k in keyof Z]: string }): Catalog<keyof Z & string> {
  return { 'zh-CN': zh, en };
}
