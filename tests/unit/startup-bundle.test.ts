/**
 * Issue 24: the console's start-up bundle holds only what the 3D console needs. The 2D map (maplibre-gl, deck.gl and
 * every layer's 2D renderer) and the wall screens' charts (echarts) are dynamic imports, fetched when first shown.
 * Checked on the source: the modules main.ts reaches through static, non-type imports (what Vite puts in the entry
 * chunk; `verbatimModuleSyntax` keeps `import { type X }` as a side-effect import, so only `import type` is skipped).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { LIVE_LAYERS, load2dLayers } from '../../renderer/src/layers/registry.ts';

const repoRoot = resolve(import.meta.dirname, '../..');

/** Static runtime imports of one file: relative files resolved, packages by name. */
function staticImports(file: string): { files: string[]; packages: string[]; unresolved: string[] } {
  const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const specs: string[] = [];
  for (const st of src.statements) {
    if (ts.isImportDeclaration(st) && !st.importClause?.isTypeOnly) specs.push((st.moduleSpecifier as ts.StringLiteral).text);
    if (ts.isExportDeclaration(st) && st.moduleSpecifier && !st.isTypeOnly) specs.push((st.moduleSpecifier as ts.StringLiteral).text);
  }
  const files: string[] = [];
  const packages: string[] = [];
  const unresolved: string[] = [];
  for (const s of specs) {
    if (!s.startsWith('.')) packages.push(s);
    else {
      const base = resolve(dirname(file), s.replace(/\?.*$/, ''));
      const hit = [base, `${base}.ts`, resolve(base, 'index.ts')].find((c) => c.endsWith('.ts') && existsSync(c));
      if (hit) files.push(hit);
      // a stylesheet or asset that is there is no module to walk; anything else unresolved would hide a branch
      else if (!(existsSync(base) && !base.endsWith('.ts'))) unresolved.push(`${relative(repoRoot, file)}: ${s}`);
    }
  }
  return { files, packages, unresolved };
}

/** Every package the entry reaches through static imports, with the first file that imports it; throws on a relative
 * import it cannot follow (so no branch of the graph goes unchecked). */
function reachedPackages(entry: string): Map<string, string> {
  const seen = new Set<string>();
  const out = new Map<string, string>();
  const todo = [resolve(repoRoot, entry)];
  while (todo.length) {
    const f = todo.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    const { files, packages, unresolved } = staticImports(f);
    if (unresolved.length) throw new Error(`imports not followed: ${unresolved.join(', ')}`);
    for (const p of packages) if (!out.has(p)) out.set(p, relative(repoRoot, f));
    todo.push(...files);
  }
  return out;
}

const TWO_D_OR_CHARTS = /^(@deck\.gl\/|deck\.gl|@luma\.gl\/|@loaders\.gl\/|maplibre-gl|echarts)/;

describe('start-up bundle (issue 24)', () => {
  it('main.ts reaches neither deck.gl, maplibre-gl nor echarts through static imports', () => {
    const reached = reachedPackages('renderer/src/main.ts');
    // the walk sees the console's own packages (so an empty result is not a pass)
    expect(reached.has('@cesium/engine') && reached.has('mobx') && reached.has('@duckdb/duckdb-wasm')).toBe(true);
    expect([...reached].filter(([p]) => TWO_D_OR_CHARTS.test(p)).map(([p, by]) => `${p} (imported by ${by})`)).toEqual([]);
  });

  it('the 2D view and the wall screen do reach them (what the dynamic imports fetch)', () => {
    expect([...reachedPackages('renderer/src/views/view2d.ts').keys()]).toEqual(expect.arrayContaining(['maplibre-gl', '@deck.gl/mapbox']));
    expect([...reachedPackages('renderer/src/ui/wall/wall-screen.ts').keys()]).toEqual(expect.arrayContaining(['echarts/core']));
  });

  it("every layer's 2D renderer loads, in drawing order, as a factory", async () => {
    const loaded = await load2dLayers();
    expect(loaded.map((l) => l.id)).toEqual(LIVE_LAYERS.filter((d) => d.load2d).map((d) => d.id));
    // every registered layer draws in 2D today (a layer without one would be a choice to state here)
    expect(loaded.length).toBe(LIVE_LAYERS.length);
    for (const l of loaded) expect(typeof l.create).toBe('function');
  });
});
