/**
 * Issue 17.4: each runtime folder imports by allow-list (eslint.config.js, rule redwall/allowed-imports; README
 * "Layout" states the same). Lints source text as if it sat in each folder, with the project's own config.
 */
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: repoRoot });

/** The boundary errors ESLint reports for `code` placed at `file` (repo-relative), as "line: message". */
async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(repoRoot, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'redwall/allowed-imports').map((m) => `${m.line}: ${m.message}`);
}

describe('import boundaries (allow-lists per runtime folder)', () => {
  it('renderer/src: its own code, contracts, geo, routing, indoor, the bridge and npm packages only', async () => {
    const ok = [
      "import { t } from './i18n.ts';",
      "import type { Alarm } from '../../data-pipelines/contracts/alarm.ts';",
      "import { M_PER_DEG_LAT } from '../../data-pipelines/geo/measure.ts';",
      "import type { Facility } from '../../data-pipelines/routing/evacuation.ts';",
      "import type { IndoorLayout } from '../../data-pipelines/indoor/layout.ts';",
      "import type { RedWallBridge } from '../../electron/bridge/api.ts';",
      "import { reaction } from 'mobx';",
      "import wasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';",
      'export const all = [t, M_PER_DEG_LAT, reaction, wasm];',
    ].join('\n');
    expect(await boundaryErrors('renderer/src/probe.ts', ok)).toEqual([]);
    const bad = [
      "import { startFeedServer } from '../../data-pipelines/feed/server.ts';",
      "import { rng } from '../../data-pipelines/etl/district.ts';",
      "import { rng as r2 } from '../../data-pipelines/shared/rng.ts';",
      "import { runMain } from '../../electron/main/app.ts';",
      "import { ipcRenderer } from 'electron';",
      "import { readFileSync } from 'node:fs';",
      "import { join } from 'path';",
      "export type Core = import('../../data-pipelines/feed/core.ts').Core;",
      "export { x } from '../../scripts/start.ts';",
      'export const all = [startFeedServer, rng, r2, runMain, ipcRenderer, readFileSync, join];',
    ].join('\n');
    const errors = await boundaryErrors('renderer/src/probe.ts', bad);
    expect(errors.map((e) => e.split(':')[0])).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(errors[0]).toContain('resolves to data-pipelines/feed/server.ts');
  });

  it('renderer stores/ and data/ sit below views/ and layers/', async () => {
    const ok =
      "import type { CameraState } from '../types/camera.ts';\nimport type { RGBA } from '../palette.ts';\nimport { t } from '../i18n.ts';\nexport type A = [CameraState, RGBA, typeof t];";
    expect(await boundaryErrors('renderer/src/stores/probe.ts', ok)).toEqual([]);
    expect(await boundaryErrors('renderer/src/stores/probe.ts', "import type { View3D } from '../views/view3d.ts';\nexport type A = View3D;")).toHaveLength(1);
    expect(
      await boundaryErrors('renderer/src/stores/probe.ts', "import type { RGBA } from '../layers/manholes/format.ts';\nexport type A = RGBA;"),
    ).toHaveLength(1);
    expect(await boundaryErrors('renderer/src/data/probe.ts', "import type { RootStore } from '../stores/root.ts';\nexport type A = RootStore;")).toHaveLength(
      1,
    );
    expect(
      await boundaryErrors('renderer/src/data/probe.ts', "import type { World } from '../../../data-pipelines/contracts/world.ts';\nexport type A = World;"),
    ).toEqual([]);
  });

  it('electron/preload: the bridge and electron only', async () => {
    expect(
      await boundaryErrors(
        'electron/preload/probe.ts',
        "import { contextBridge } from 'electron';\nimport { IPC } from '../bridge/api.ts';\nexport const a = [contextBridge, IPC];",
      ),
    ).toEqual([]);
    const errors = await boundaryErrors(
      'electron/preload/probe.ts',
      "import { join } from 'node:path';\nimport { z } from 'zod';\nimport type { Alarm } from '../../data-pipelines/contracts/alarm.ts';\nimport type { RootStore } from '../../renderer/src/stores/root.ts';\nexport type A = [Alarm, RootStore, typeof join, typeof z];",
    );
    expect(errors.map((e) => e.split(':')[0])).toEqual(['1', '2', '3', '4']);
  });

  it('electron/main: never the renderer; the bridge and the feed server it starts are fine', async () => {
    expect(
      await boundaryErrors(
        'electron/main/probe.ts',
        "import { startFeedServer } from '../../data-pipelines/feed/server.ts';\nimport { IPC } from '../bridge/api.ts';\nimport { join } from 'node:path';\nexport const a = [startFeedServer, IPC, join];",
      ),
    ).toEqual([]);
    expect(await boundaryErrors('electron/main/probe.ts', "import { t } from '../../renderer/src/i18n.ts';\nexport const a = t;")).toHaveLength(1);
  });

  it('data-pipelines: run-time feed code never imports build-time etl/; shared pure modules stay free of Node', async () => {
    expect(await boundaryErrors('data-pipelines/feed/probe.ts', "import { rng } from '../etl/district.ts';\nexport const a = rng;")).toHaveLength(1);
    expect(await boundaryErrors('data-pipelines/people/probe.ts', "import { rng } from '../etl/district.ts';\nexport const a = rng;")).toHaveLength(1);
    expect(
      await boundaryErrors(
        'data-pipelines/feed/probe.ts',
        "import { rng } from '../shared/rng.ts';\nimport { gridCellOf } from '../geo/grid-cell.ts';\nexport const a = [rng, gridCellOf];",
      ),
    ).toEqual([]);
    expect(await boundaryErrors('data-pipelines/geo/probe.ts', "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;")).toHaveLength(1);
    expect(await boundaryErrors('data-pipelines/contracts/probe.ts', "import { Core } from '../feed/core.ts';\nexport const a = Core;")).toHaveLength(1);
    expect(await boundaryErrors('data-pipelines/routing/probe.ts', "import { x } from '../../electron/bridge/api.ts';\nexport const a = x;")).toHaveLength(1);
    expect(await boundaryErrors('data-pipelines/etl/probe.ts', "import { Core } from '../feed/core.ts';\nexport const a = Core;")).toHaveLength(1);
  });
});
