import { describe, expect, it } from 'vitest';
import { LOCALES, STRINGS } from '../../renderer/src/i18n.ts';

describe('i18n', () => {
  it('every key exists, non-empty, in every locale', () => {
    const keys = new Set(LOCALES.flatMap((l) => Object.keys(STRINGS[l])));
    for (const l of LOCALES) for (const k of keys) expect((STRINGS[l] as Record<string, string>)[k], `${l}.${k}`).toBeTruthy();
  });
  it('zh-CN strings are actually Chinese', () => {
    expect(STRINGS['zh-CN'].alarms).toMatch(/[\u4e00-\u9fff]/);
  });
});
