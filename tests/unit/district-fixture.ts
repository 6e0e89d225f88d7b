/** A freshly built district data package in a temp folder, and its entities as the feed server loads them; journal fixtures. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDistrict } from '../../data-pipelines/etl/build-district.ts';
import { loadEntities, type Entities } from '../../data-pipelines/feed/entities.ts';
import type { Draft } from '../../data-pipelines/contracts/events.ts';

export function buildTestDistrict(): { assetsDir: string; entities: Entities } {
  const assetsDir = mkdtempSync(join(tmpdir(), 'redwall-pkg-'));
  buildDistrict(assetsDir, () => undefined);
  return { assetsDir, entities: loadEntities(assetsDir) };
}

/** A fresh temporary journal folder. */
export const tmpJournalDir = (): string => mkdtempSync(join(tmpdir(), 'redwall-journal-'));

/** A manhole gas reading of `value` %LEL (alarm from 20, warning from 10). */
export const gasReading = (wellId: string, value: number, ts = 1000): Draft => ({
  stream: 'manhole',
  kind: 'manhole.reading',
  ts,
  wellId,
  sensor: 'gas',
  value,
  unit: '%LEL',
  level: value >= 20 ? 'alarm' : value >= 10 ? 'warning' : 'normal',
});
