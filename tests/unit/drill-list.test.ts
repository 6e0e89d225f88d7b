/**
 * The drill panel's scenario list (issue 16.15): the server says why a list is empty (no folder configured, folder
 * missing, no files, every file invalid) and which files it left out, and the panel turns every empty case into a
 * sentence instead of a silently disabled start button. The server runs for real on loopback over the shipped
 * district package; the scenario folders are real temp folders.
 */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DrillAck } from '../../data-pipelines/contracts/events.ts';
import { startFeedServer, type FeedServer } from '../../data-pipelines/feed/server.ts';
import { scenarioListNotes } from '../../renderer/src/ui/drill-panel.ts';

const ROOT = join(import.meta.dirname, '../..');
const TOKEN = 'drill-list-token-0123456789';
let server: FeedServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function list(scenariosDir: string | undefined): Promise<Extract<DrillAck, { ok: true }>> {
  server = await startFeedServer({
    assetsDir: join(ROOT, 'assets/district'),
    journalDir: mkdtempSync(join(tmpdir(), 'redwall-drill-list-')),
    sim: null,
    token: TOKEN,
    log: () => undefined,
    ...(scenariosDir ? { scenariosDir } : {}),
  });
  const res = await fetch(`${server.url}/api/drills`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const a = DrillAck.parse(await res.json());
  if (!a.ok) throw new Error(a.error);
  return a;
}

describe('drill scenario list: why it is empty', () => {
  it('lists the shipped scenarios with no empty reason', async () => {
    const a = await list(join(ROOT, 'assets/scenarios'));
    expect(a.scenarios!.map((s) => s.file)).toContain('plant-stair-smoke.json');
    expect(a.emptyBecause).toBeUndefined();
    expect(scenarioListNotes({ answered: a, listError: '', feedLive: true })).toEqual([]);
  });

  it('says no folder is configured, the folder is missing, or holds no files', async () => {
    expect((await list(undefined)).emptyBecause).toBe('no-folder');
    await server!.close();
    server = null;
    expect((await list(join(tmpdir(), 'redwall-no-such-folder-x9'))).emptyBecause).toBe('folder-missing');
    await server!.close();
    server = null;
    const a = await list(mkdtempSync(join(tmpdir(), 'redwall-scen-empty-')));
    expect(a.emptyBecause).toBe('no-files');
    expect(scenarioListNotes({ answered: a, listError: '', feedLive: true })).toEqual([{ key: 'drill.list.noFiles' }]);
  });

  it('names each invalid file with its error; all invalid is its own reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redwall-scen-bad-'));
    writeFileSync(join(dir, 'broken.json'), '{"format":"redwall-drill/1","name":"x","steps":[]}');
    const a = await list(dir);
    expect(a.scenarios).toEqual([]);
    expect(a.emptyBecause).toBe('all-invalid');
    expect(a.invalid!.map((f) => f.file)).toEqual(['broken.json']);
    expect(a.invalid![0]!.error.length).toBeGreaterThan(0);
    const notes = scenarioListNotes({ answered: a, listError: '', feedLive: true });
    expect(notes.map((n) => n.key)).toEqual(['drill.list.allInvalid', 'drill.list.invalid']);
    expect(notes[1]!.params).toMatchObject({ file: 'broken.json' });
    await server!.close();
    server = null;
    // one good file beside the bad one: listed, no empty reason, the bad one still named
    copyFileSync(join(ROOT, 'assets/scenarios/plant-stair-smoke.json'), join(dir, 'good.json'));
    const b = await list(dir);
    expect(b.scenarios!.map((s) => s.file)).toEqual(['good.json']);
    expect(b.emptyBecause).toBeUndefined();
    expect(scenarioListNotes({ answered: b, listError: '', feedLive: true }).map((n) => n.key)).toEqual(['drill.list.invalid']);
  });
});

describe('drill panel notes before an answer', () => {
  it('waits for the feed, then for the list; an error is shown with its text', () => {
    expect(scenarioListNotes({ answered: null, listError: '', feedLive: false })).toEqual([{ key: 'drill.list.waiting' }]);
    expect(scenarioListNotes({ answered: null, listError: '', feedLive: true })).toEqual([{ key: 'drill.list.loading' }]);
    expect(scenarioListNotes({ answered: null, listError: 'no answer in 10 s', feedLive: true })).toEqual([
      { key: 'drill.list.failed', params: { error: 'no answer in 10 s' } },
    ]);
  });
});
