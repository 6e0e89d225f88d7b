/**
 * Import-circle check: reads every .ts file under the given folders, follows their relative imports (static, dynamic,
 * re-exports and `import type` alike — a type-only import still ties two modules' design together) and returns every
 * import circle as a list of files. Uses the TypeScript scanner (ts.preProcessFile), so it needs nothing else.
 *
 *   npx tsx scripts/import-circles.ts            # the project's runtime folders; exit 1 and the circles if any
 *   npx tsx scripts/import-circles.ts DIR...     # other folders
 *
 * tests/unit/import-circles.test.ts runs it in the unit suite, so `npm test` fails on a new circle.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** The folders the check covers by default: every runtime folder, without the input data. */
export const RUNTIME_ROOTS = ['renderer/src', 'data-pipelines', 'electron'];
export const EXCLUDED = ['data-pipelines/inputs', 'node_modules'];

function listTs(dir: string, excluded: Set<string>, out: string[]): void {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (excluded.has(p)) continue;
    const st = statSync(p);
    if (st.isDirectory()) listTs(p, excluded, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
}

/** Resolves a relative specifier the way Vite/tsc do for this project (explicit .ts, or none, or a folder index). */
function resolveImport(fromFile: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null; // npm package or node: built-in
  const base = resolve(dirname(fromFile), spec.replace(/\?.*$/, ''));
  for (const c of [base, `${base}.ts`, join(base, 'index.ts')]) {
    if (c.endsWith('.ts') && existsSync(c) && statSync(c).isFile()) return c;
  }
  return null;
}

/** File → the project files it imports (absolute paths), for every .ts file under roots. */
export function importGraph(repoRoot: string, roots: string[] = RUNTIME_ROOTS, excluded: string[] = EXCLUDED): Map<string, string[]> {
  const files: string[] = [];
  const ex = new Set(excluded.map((e) => resolve(repoRoot, e)));
  for (const r of roots) listTs(resolve(repoRoot, r), ex, files);
  const inSet = new Set(files);
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(f, 'utf8'), true, true);
    const deps = new Set<string>();
    for (const { fileName } of importedFiles) {
      const to = resolveImport(f, fileName);
      if (to && inSet.has(to)) deps.add(to);
    }
    graph.set(f, [...deps].sort());
  }
  return graph;
}

/** One knot of mutually importing files: all its files, and one closed import path through it (repo-relative). */
export interface Circle {
  files: string[];
  path: string[];
}

/**
 * The import circles of a graph: one entry per strongly connected component of two or more files (or a file that
 * imports itself): every file in it, and one concrete closed path from its first file back to itself.
 */
export function findCircles(graph: Map<string, string[]>, repoRoot: string): Circle[] {
  // Tarjan's strongly connected components, iterative so deep chains cannot overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  for (const start of [...graph.keys()].sort()) {
    if (index.has(start)) continue;
    const work: Array<{ node: string; i: number }> = [{ node: start, i: 0 }];
    index.set(start, next);
    low.set(start, next);
    next++;
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const deps = graph.get(top.node) ?? [];
      if (top.i < deps.length) {
        const d = deps[top.i++]!;
        if (!index.has(d)) {
          index.set(d, next);
          low.set(d, next);
          next++;
          stack.push(d);
          onStack.add(d);
          work.push({ node: d, i: 0 });
        } else if (onStack.has(d)) {
          low.set(top.node, Math.min(low.get(top.node)!, index.get(d)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]!.node;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
      }
      if (low.get(top.node) === index.get(top.node)) {
        const comp: string[] = [];
        let n: string;
        do {
          n = stack.pop()!;
          onStack.delete(n);
          comp.push(n);
        } while (n !== top.node);
        if (comp.length > 1 || (graph.get(top.node) ?? []).includes(top.node)) components.push(comp.sort());
      }
    }
  }
  const rel = (f: string) => relative(repoRoot, f).split('\\').join('/');
  return components.map((comp) => ({ files: comp.map(rel), path: closedPath(graph, comp).map(rel) })).sort((a, b) => a.files[0]!.localeCompare(b.files[0]!));
}

/** One shortest closed path from the component's first file back to itself, staying inside the component. */
function closedPath(graph: Map<string, string[]>, comp: string[]): string[] {
  const inComp = new Set(comp);
  const start = comp[0]!;
  const prev = new Map<string, string>();
  const queue = [start];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const n = queue.shift()!;
    for (const d of graph.get(n) ?? []) {
      if (!inComp.has(d)) continue;
      if (d === start) {
        const path = [n];
        while (path[0] !== start) path.unshift(prev.get(path[0]!)!);
        return [...path, start];
      }
      if (!seen.has(d)) {
        seen.add(d);
        prev.set(d, n);
        queue.push(d);
      }
    }
  }
  return [start, start];
}

export function formatCircles(circles: Circle[]): string {
  return circles.map((c, i) => `circle ${i + 1}: ${c.path.join(' -> ')}\n  all ${c.files.length} files in it: ${c.files.join(', ')}`).join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const repoRoot = resolve(import.meta.dirname, '..');
  const roots = process.argv.slice(2);
  const circles = findCircles(importGraph(repoRoot, roots.length > 0 ? roots : RUNTIME_ROOTS), repoRoot);
  if (circles.length > 0) {
    console.error(`${circles.length} import circle(s):\n${formatCircles(circles)}`);
    process.exit(1);
  }
  console.log('no import circles');
}
