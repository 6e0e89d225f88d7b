/** A freshly built district data package in a temp folder, and its entities as the feed server loads them. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDistrict } from '../../data-pipelines/etl/build-district.ts';
import { loadEntities, type Entities } from '../../data-pipelines/feed/entities.ts';

export function buildTestDistrict(): { assetsDir: string; entities: Entities } {
  const assetsDir = mkdtempSync(join(tmpdir(), 'redwall-pkg-'));
  buildDistrict(assetsDir, () => undefined);
  return { assetsDir, entities: loadEntities(assetsDir) };
}
