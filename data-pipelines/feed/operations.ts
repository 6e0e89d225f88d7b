/**
 * Domain operations shared by the socket API and the HTTP routes: drills (list/start/stop), people look-ups, visit
 * tasks, and who may act on which alarm. Each answers an ack; what it journals goes to the screens through `emit`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mayActOnAlarmIn, mayOperate } from '../contracts/auth.ts';
import { DrillRequest, type DrillAck, type FeedEvent } from '../contracts/events.ts';
import { PeopleRequest, type PeopleAnswer } from '../contracts/people.ts';
import { parseScenario } from '../contracts/scenario.ts';
import type { TaskAck } from '../contracts/tasks.ts';
import { gridCellOf } from '../geo/grid-cell.ts';
import type { User } from '../people/policy.ts';
import type { PeopleService } from '../people/service.ts';
import type { FeedCore } from './core.ts';

export interface OperationsOptions {
  core: FeedCore;
  people: PeopleService;
  /** drill scenario files offered to operators (*.json) */
  scenariosDir?: string | undefined;
  emit: (events: FeedEvent[]) => void;
  log: (msg: string) => void;
}

export class FeedOperations {
  constructor(private readonly o: OperationsOptions) {}

  private scenarioFiles(): Array<{ file: string; text: string }> {
    const dir = this.o.scenariosDir;
    if (!dir || !existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((file) => ({ file, text: readFileSync(join(dir, file), 'utf8') }));
  }

  private running() {
    const { core } = this.o;
    return core.drill ? { drillId: core.drill.drillId, name: core.drill.scenario.name, startedAt: core.drill.startedAt, endsAt: core.drill.ends } : null;
  }

  /** Drill control shared by socket and HTTP: list scenario files, start one (by file name or inline), stop. */
  drill(raw: unknown): DrillAck {
    const { core, log, emit } = this.o;
    const p = DrillRequest.safeParse(raw);
    if (!p.success) return { ok: false, error: `bad drill request: ${p.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
    const req = p.data;
    try {
      if (req.op === 'list') {
        const scenarios: NonNullable<Extract<DrillAck, { ok: true }>['scenarios']> = [];
        const invalid: Array<{ file: string; error: string }> = [];
        const files = this.scenarioFiles();
        for (const f of files) {
          const sc = parseScenario(f.text);
          if (!sc.ok) {
            log(`scenario ${f.file} is invalid: ${sc.errors.join('; ')}`);
            invalid.push({ file: f.file, error: sc.errors.join('; ').slice(0, 2000) });
            continue;
          }
          scenarios.push({
            file: f.file,
            name: sc.value.name,
            ...(sc.value.description ? { description: sc.value.description } : {}),
            steps: sc.value.steps.length,
            durationS: sc.value.steps[sc.value.steps.length - 1]!.at,
          });
        }
        // an empty list says why (the drill panel shows it): no folder configured, folder missing, no files, all invalid
        const dir = this.o.scenariosDir;
        const emptyBecause = scenarios.length
          ? undefined
          : !dir
            ? 'no-folder'
            : !existsSync(dir)
              ? 'folder-missing'
              : files.length
                ? 'all-invalid'
                : 'no-files';
        return { ok: true, running: this.running(), scenarios, ...(invalid.length ? { invalid } : {}), ...(emptyBecause ? { emptyBecause } : {}) } as const;
      }
      if (req.op === 'stop') {
        emit(core.stopDrill(Date.now(), req.by));
        return { ok: true, running: null };
      }
      let scenario = req.scenario;
      if (typeof scenario === 'string' && /^[\w.-]+\.json$/.test(scenario)) {
        const f = this.scenarioFiles().find((x) => x.file === scenario);
        if (!f) return { ok: false, error: `no scenario file ${scenario}` };
        scenario = f.text;
      }
      const r = core.startDrill(scenario, Date.now(), req.by);
      emit(r.events);
      log(`drill ${r.drillId} started by ${req.by}`);
      return { ok: true, drillId: r.drillId, running: this.running() };
    } catch (e) {
      return { ok: false, error: (e as Error).message.slice(0, 2000) };
    }
  }

  /** Starting or stopping a drill is the duty operator's; listing is anyone's. */
  drillRefusal(who: User, raw: unknown): DrillAck | null {
    const op = raw && typeof raw === 'object' ? (raw as { op?: unknown }).op : undefined;
    return (op === 'start' || op === 'stop') && !mayOperate(who, 'drill') ? { ok: false, error: `${who.role} may not ${op} drills` } : null;
  }

  /**
   * Grid staff act on alarms in their own grid cells only (they are the ones on site there; elsewhere it is another
   * grid's staff, or the duty operator's): the refusal for an alarm located outside their cells, else null. Unknown
   * alarms are left to the core (it answers "unknown alarm").
   */
  outsideOwnGrids(who: User, raw: unknown): string | null {
    const { core } = this.o;
    if (who.role !== 'grid-staff') return null;
    const alarmId = raw && typeof raw === 'object' ? (raw as { alarmId?: unknown }).alarmId : undefined;
    const alarm = typeof alarmId === 'string' ? core.engine.alarms.get(alarmId) : undefined;
    if (!alarm) return null;
    const cell = gridCellOf(core.entities.grid, alarm.lon, alarm.lat);
    if (mayActOnAlarmIn(who, cell)) return null;
    return `grid-staff may act on alarms in their own grids only (${(who.grids ?? []).join(', ') || 'none'}); ${alarm.alarmId} is in ${cell ?? 'no grid cell'}`;
  }

  /** A people request over the socket (masked, audited by the people service). */
  async people(user: User, raw: unknown): Promise<PeopleAnswer> {
    const { people, log } = this.o;
    const p = PeopleRequest.safeParse(raw);
    if (!p.success)
      return { ok: false, status: 400, error: `bad people request: ${p.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
    const q = p.data;
    try {
      if (q.op !== 'me') await people.ready();
      switch (q.op) {
        case 'me':
          return { ok: true, op: 'me', user };
        case 'density':
          return { ok: true, op: 'density', grids: people.density() };
        case 'turning': {
          const r = people.turning(user, { age: q.age, days: q.days, ...(q.grid ? { grid: q.grid } : {}) });
          return r.ok ? { ok: true, op: 'turning', ...r.value } : r;
        }
        case 'view': {
          const r = people.view(user, q.residentId);
          return r.ok ? { ok: true, op: 'view', resident: r.value } : r;
        }
        case 'unmask': {
          const r = people.unmask(user, q.residentId, q.reason);
          return r.ok ? { ok: true, op: 'unmask', resident: r.value } : r;
        }
        case 'holder': {
          const r = people.holder(user, q.deviceId);
          return r.ok ? { ok: true, op: 'holder', deviceId: q.deviceId, resident: r.value } : r;
        }
        case 'inside': {
          const r = people.inside(user, q.buildingIds, { ...(q.alarmId ? { alarmId: q.alarmId } : {}), ...(q.above ? { above: q.above } : {}) });
          return r.ok ? { ok: true, op: 'inside', ...r.value } : r;
        }
      }
    } catch (e) {
      log(`people request failed: ${(e as Error).message}`);
      return { ok: false, status: 400, error: (e as Error).message.slice(0, 500) };
    }
  }

  /** Visit tasks: plan from the (audited, masked) turning-N list, mark done/cancelled by role. */
  async task(user: User, raw: unknown): Promise<TaskAck> {
    const { core, people, log, emit } = this.o;
    try {
      // nothing is acknowledged that the journal cannot hold
      const refusal = core.journalRefusal();
      if (refusal) return { ok: false, status: 409, error: refusal };
      const needsPeople = typeof raw === 'object' && raw !== null && (raw as { op?: unknown }).op === 'create-turning';
      if (needsPeople) await people.ready();
      const out = core.board.handle(user, raw, Date.now(), (q) => {
        const r = people.turning(user, q);
        return r.ok ? r.value.rows : { status: r.status, error: r.error };
      });
      if (out.drafts.length) emit(core.ingest(out.drafts));
      return out.ack;
    } catch (e) {
      log(`task request failed: ${(e as Error).message}`);
      return { ok: false, status: 400, error: (e as Error).message.slice(0, 500) };
    }
  }
}
