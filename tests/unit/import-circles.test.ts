/**
 * Issue 17.1: no import circles in the runtime folders (renderer/src, data-pipelines without inputs/, electron),
 * counting type-only imports too. The checker is scripts/import-circles.ts (`npx tsx scripts/import-circles.ts`).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findCircles, formatCircles, importGraph, RUNTIME_ROOTS } from '../../scripts/import-circles.ts';

const repoRoot = resolve(import.meta.dirname, '../..');

describe('import circles', () => {
  it('the runtime folders have none', () => {
    const graph = importGraph(repoRoot, RUNTIME_ROOTS);
    // the check really read the tree: the renderer entry and its stores/layers are in it, with their imports
    const main = graph.get(resolve(repoRoot, 'renderer/src/main.ts'));
    expect(main?.length ?? 0).toBeGreaterThan(5);
    expect(graph.has(resolve(repoRoot, 'data-pipelines/feed/server.ts'))).toBe(true);
    expect(graph.has(resolve(repoRoot, 'electron/main/main.ts'))).toBe(true);
    expect([...graph.keys()].some((f) => f.includes('/data-pipelines/inputs/'))).toBe(false);
    const circles = findCircles(graph, repoRoot);
    expect(circles, `import circles:\n${formatCircles(circles)}`).toEqual([]);
  });

  describe('the checker', () => {
    const dir = mkdtempSync(join(tmpdir(), 'redwall-circles-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const write = (rel: string, text: string) => {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), text);
    };

    it('finds a circle closed by a type-only import, a re-export and a folder index, and names its files', () => {
      write('src/stores/ui.ts', "import type { Cam } from '../views/view.ts';\nexport const x: Cam | null = null;\n");
      write('src/views/view.ts', "export { y } from '../layers';\nexport interface Cam { h: number }\n");
      write('src/layers/index.ts', "import { x } from '../stores/ui.ts';\nexport const y = x;\n");
      write('src/leaf.ts', "import { y } from './layers/index.ts';\nimport 'mobx';\nexport const z = y;\n");
      const circles = findCircles(importGraph(dir, ['src']), dir);
      expect(circles).toEqual([
        {
          files: ['src/layers/index.ts', 'src/stores/ui.ts', 'src/views/view.ts'],
          path: ['src/layers/index.ts', 'src/stores/ui.ts', 'src/views/view.ts', 'src/layers/index.ts'],
        },
      ]);
      expect(formatCircles(circles)).toContain('circle 1: src/layers/index.ts -> src/stores/ui.ts -> src/views/view.ts -> src/layers/index.ts');
    });

    it('passes a tree without circles, and ignores excluded folders', () => {
      write('ok/a.ts', "import { b } from './b.ts';\nexport const a = b;\n");
      write('ok/b.ts', 'export const b = 1;\n');
      write('ok/inputs/c.ts', "import { d } from './d.ts';\nexport const c = d;\n");
      write('ok/inputs/d.ts', "import { c } from './c.ts';\nexport const d = c;\n");
      expect(findCircles(importGraph(dir, ['ok'], ['ok/inputs']), dir)).toEqual([]);
      expect(findCircles(importGraph(dir, ['ok'], []), dir)).toHaveLength(1);
    });
  });
});
