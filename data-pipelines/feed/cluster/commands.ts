/**
 * Operator commands at a follower gateway (alarm commands, citizen-request steps, drills, visit tasks) go to the writer (the lease holder) over NATS request/reply on
 * `rw.<district>.cmd`; the writer applies them exactly once (alarm command ids and citizen-request steps are
 * idempotent in the core, so a command resent after a timeout or through another gateway is recognised) and answers
 * once the result is durable in the cluster log. The subject must be writable by the gateways only (NATS
 * authorization, docs/deployment.md): whoever may publish on it acts as any user.
 */
import type { RequestActor } from '../../contracts/citizen-request.ts';
import type { User } from '../../people/policy.ts';
import type { JetStreamLog } from './jetstream-log.ts';

export type Forwarded =
  | { kind: 'alarm'; req: unknown }
  | { kind: 'request'; raw: unknown; user: RequestActor }
  | { kind: 'drill'; req: unknown }
  | { kind: 'task'; raw: unknown; user: User };

const KINDS = new Set(['alarm', 'request', 'drill', 'task']);

export const commandSubject = (district: string) => `rw.${district}.cmd`;

/** The writer serves forwarded commands (until the returned stop is called). */
export function serveCommands(log: JetStreamLog, handle: (f: Forwarded) => Promise<unknown>, say: (m: string) => void): () => void {
  const sub = log.nc.subscribe(commandSubject(log.district), {
    callback: (err, msg) => {
      if (err) return say(`command subscription: ${err.message}`);
      let f: Forwarded;
      try {
        f = JSON.parse(new TextDecoder().decode(msg.data)) as Forwarded;
        if (!f || !KINDS.has(f.kind)) throw new Error('unknown kind');
      } catch (e) {
        msg.respond(JSON.stringify({ ok: false, error: `bad forwarded command: ${(e as Error).message}` }));
        return;
      }
      handle(f).then(
        (ack) => msg.respond(JSON.stringify(ack)),
        (e: unknown) => msg.respond(JSON.stringify({ ok: false, error: (e as Error).message })),
      );
    },
  });
  return () => sub.unsubscribe();
}

/** Sends a command to the writer and returns its acknowledgement (a refusal saying why when it does not answer). */
export async function forwardCommand(log: JetStreamLog, f: Forwarded, timeoutMs = 10_000): Promise<unknown> {
  try {
    const m = await log.nc.request(commandSubject(log.district), JSON.stringify(f), { timeout: timeoutMs });
    return JSON.parse(new TextDecoder().decode(m.data)) as unknown;
  } catch (e) {
    return { ok: false, error: `the writer gateway did not answer (${(e as Error).message}): nothing is known to have changed, try again` };
  }
}
