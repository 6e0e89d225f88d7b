/**
 * The socket API's request/answer operations in one table: for each, the socket.io event (WIRE), what the client
 * sends, how long it waits for the ack and how an answer is checked. The renderer's FeedClient sends every one of them
 * through one `call(op, request)`; the feed server (feed/socket-api.ts) serves each table event. Operator alarm
 * commands are not in the table: they are retried across reconnects with their commandId (FeedClient.sendAlarmCommand).
 */
import { z } from 'zod';
import { LoginAnswer, type LoginRequest, LogoutAnswer, type LogoutRequest } from './auth.ts';
import type { RequestAck, RequestWire } from './citizen-request.ts';
import { DrillAck, type DrillRequest, type FeedEvent, JournalWindow, type JournalRequest, parseFeedEvent, type ParseResult, WIRE } from './events.ts';
import type { PeopleAnswer, PeopleRequest } from './people.ts';
import { SopFile } from './sop.ts';
import type { TaskAck, TaskRequest } from './tasks.ts';
import type { VideoAnswer, VideoRequest } from './video.ts';

/** A journal window whose events passed the event contract; `skipped` invalid ones were left out. */
export type JournalAnswer = JournalWindow & { skipped: number };

/** {from, to, step} in ms: the sampled parking occupancy history (the socket twin of GET /api/history/parking). */
export interface ParkingHistoryRequest {
  from: number;
  to: number;
  step: number;
}
export interface ParkingHistoryAnswer {
  csv: string;
  truncated: boolean;
}

export interface SocketOp<Req, Ans> {
  event: (typeof WIRE)[keyof typeof WIRE];
  /** seconds the client waits for the ack before the call fails with "no answer" */
  timeoutS: number;
  /** the server may answer {error: string} instead (a refusal in its own words), not an answer of this op's shape */
  errorReply?: true;
  /** what goes on the wire for a request (default: the request itself) */
  encode?: (req: Req) => unknown;
  /** checks an answer; never throws */
  answer: (raw: unknown) => ParseResult<Ans>;
}

/** The first problem, where it is: "seqs.env: Invalid input…" */
const issue = (e: z.ZodError) => {
  const i = e.issues[0];
  return i?.path.length ? `${i.path.join('.')}: ${i.message}` : String(i?.message);
};
const parsed =
  <T>(schema: z.ZodType<T>) =>
  (raw: unknown): ParseResult<T> => {
    const r = schema.safeParse(raw);
    return r.success ? { ok: true, value: r.data } : { ok: false, error: issue(r.error) };
  };
/** Answers whose contract is a TypeScript type only (the server builds them): an object with a boolean `ok`. */
const okShaped =
  <T extends { ok: boolean }>() =>
  (raw: unknown): ParseResult<T> =>
    raw && typeof raw === 'object' && typeof (raw as { ok?: unknown }).ok === 'boolean'
      ? { ok: true, value: raw as T }
      : { ok: false, error: 'an object with a boolean ok expected' };

function journalAnswer(raw: unknown): ParseResult<JournalAnswer> {
  const w = JournalWindow.safeParse(raw);
  if (!w.success) return { ok: false, error: issue(w.error) };
  const valid = (xs: unknown[]) =>
    xs.flatMap((x): FeedEvent[] => {
      const r = parseFeedEvent(x);
      return r.ok ? [r.value] : [];
    });
  const initial = valid(w.data.initial);
  const events = valid(w.data.events);
  const skipped = w.data.initial.length + w.data.events.length - initial.length - events.length;
  return { ok: true, value: { ...w.data, initial, events, skipped } };
}

function parkingHistoryAnswer(raw: unknown): ParseResult<ParkingHistoryAnswer> {
  const r = (raw ?? {}) as { csv?: unknown; truncated?: unknown };
  return typeof r.csv === 'string' ? { ok: true, value: { csv: r.csv, truncated: r.truncated === true } } : { ok: false, error: 'csv expected' };
}

/** The SOP files the gateway loaded (contracts/sop.ts), each checked against the schema on the client too. */
export type SopRequest = Record<string, never>;
export const SopAnswer = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), sops: z.array(SopFile).max(200) }).strict(),
  z.object({ ok: z.literal(false), error: z.string().max(500) }).strict(),
]);
export type SopAnswer = z.infer<typeof SopAnswer>;

/** Each op's request and answer. */
export interface SocketOpTypes {
  login: { request: LoginRequest; answer: LoginAnswer };
  logout: { request: LogoutRequest; answer: LogoutAnswer };
  drill: { request: DrillRequest; answer: DrillAck };
  journal: { request: JournalRequest; answer: JournalAnswer };
  parkingHistory: { request: ParkingHistoryRequest; answer: ParkingHistoryAnswer };
  people: { request: PeopleRequest; answer: PeopleAnswer };
  request: { request: RequestWire; answer: RequestAck };
  task: { request: TaskRequest; answer: TaskAck };
  video: { request: VideoRequest; answer: VideoAnswer };
  sop: { request: SopRequest; answer: SopAnswer };
}
export type SocketOpName = keyof SocketOpTypes;
export type SocketRequest<K extends SocketOpName> = SocketOpTypes[K]['request'];
export type SocketAnswer<K extends SocketOpName> = SocketOpTypes[K]['answer'];

export const SOCKET_OPS: { readonly [K in SocketOpName]: SocketOp<SocketRequest<K>, SocketAnswer<K>> } = {
  /** sign in over the page's socket (no HTTP: app:// would need a CORS preflight) */
  login: { event: WIRE.login, timeoutS: 30, answer: parsed(LoginAnswer) },
  /** end the socket's session (the server closes its other sockets too) */
  logout: { event: WIRE.logout, timeoutS: 10, answer: parsed(LogoutAnswer) },
  /** drill control: list scenarios, start, stop */
  drill: { event: WIRE.drill, timeoutS: 10, answer: parsed(DrillAck) },
  /** a time window of the journal (replay, after-action review) */
  journal: { event: WIRE.journal, timeoutS: 60, errorReply: true, answer: journalAnswer },
  /** sampled parking occupancy (CSV, one row per place whose state changed since the last sample) */
  parkingHistory: {
    event: WIRE.parkingHistory,
    timeoutS: 60,
    errorReply: true,
    // the server takes whole milliseconds only
    encode: (r) => ({ from: Math.floor(r.from), to: Math.floor(r.to), step: Math.floor(r.step) }),
    answer: parkingHistoryAnswer,
  },
  /** the people service: the server masks, role-checks and audits */
  people: { event: WIRE.people, timeoutS: 30, answer: okShaped<PeopleAnswer>() },
  /** a citizen-request command (journaled under the signed-in user; a repeated commandId is a no-op) */
  request: { event: WIRE.request, timeoutS: 30, answer: okShaped<RequestAck>() },
  /** a visit-task request: plan, done, cancel (role-checked on the server) */
  task: { event: WIRE.task, timeoutS: 30, answer: okShaped<TaskAck>() },
  /** the camera registry, a player's stream health, a still for an alarm (contracts/video.ts) */
  video: { event: WIRE.video, timeoutS: 30, answer: okShaped<VideoAnswer>() },
  /** the SOP files (checklists and hazard models) this gateway loaded: any signed-in user */
  sop: { event: WIRE.sop, timeoutS: 30, answer: parsed(SopAnswer) },
};

/** Sends one op and resolves with its checked answer (FeedClient.call). */
export type SocketCall = <K extends SocketOpName>(op: K, request: SocketRequest<K>) => Promise<SocketAnswer<K>>;

export function isSocketOp(name: unknown): name is SocketOpName {
  return typeof name === 'string' && Object.hasOwn(SOCKET_OPS, name);
}
