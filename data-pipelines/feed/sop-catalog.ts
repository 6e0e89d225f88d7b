/**
 * The SOP catalog (issue 22): every `*.json` file of a folder (`--sop-dir DIR` / REDWALL_SOP_DIR, default the district
 * package's sibling `assets/sop`), each checked against the `redwall-sop/1` contract (contracts/sop.ts) and then as a
 * set (one id once, one file per category and cause). A bad file is reported in one line naming the file and the
 * field, and left out; the others load. Files are read in name order, so which of two conflicting files loses is
 * stable: the later one.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkSopSet, parseSop, type SopFile } from '../contracts/sop.ts';

export interface SopCatalog {
  dir: string;
  /** the SOPs that loaded, in file-name order */
  sops: SopFile[];
  /** which file each SOP id came from */
  files: Map<string, string>;
  /** one line per file left out (or per directory problem) */
  errors: string[];
}

/** At most this many bytes per file: an SOP is a few kilobytes. */
const MAX_BYTES = 1_000_000;

/** Loads and checks the SOP files of `dir`; problems go to `log` (one line each) and `errors`. */
export function loadSopCatalog(dir: string, log: (msg: string) => void = () => undefined): SopCatalog {
  const out: SopCatalog = { dir, sops: [], files: new Map(), errors: [] };
  const fail = (msg: string) => {
    out.errors.push(msg);
    log(msg);
  };
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => n.toLowerCase().endsWith('.json'))
      .sort();
  } catch (e) {
    fail(`SOP folder ${dir} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): alarms carry no SOP`);
    return out;
  }
  for (const name of names) {
    const path = join(dir, name);
    let raw: unknown;
    try {
      if (statSync(path).size > MAX_BYTES) {
        fail(`${name}: larger than ${MAX_BYTES} bytes, left out`);
        continue;
      }
      // a byte-order mark (Notepad's UTF-8) is not an error
      raw = JSON.parse(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''));
    } catch (e) {
      fail(`${name}: not valid JSON (${(e as Error).message.slice(0, 200)}), left out`);
      continue;
    }
    const p = parseSop(raw, name);
    if (!p.ok) {
      fail(`${p.error}, left out`);
      continue;
    }
    const conflicts = checkSopSet([...out.sops, p.sop]);
    if (conflicts.length) {
      fail(`${name}: ${conflicts.join('; ')}, left out`);
      continue;
    }
    out.sops.push(p.sop);
    out.files.set(p.sop.id, name);
  }
  log(
    `SOPs from ${dir}: ${out.sops.map((s) => `${s.id} v${s.version}`).join(', ') || 'none'}${out.errors.length ? ` (${out.errors.length} files left out)` : ''}`,
  );
  return out;
}

/** Whether `dir` is a folder (an explicitly named SOP folder must exist). */
export function isSopDir(dir: string): boolean {
  return existsSync(dir) && statSync(dir).isDirectory();
}
