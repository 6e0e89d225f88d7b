/**
 * The video operation of the socket API (contracts/video.ts): the camera registry for the players, the players' view
 * of each stream (a stream that fails or stalls becomes a camera outage: camera.status online=false cause=stream,
 * which the alarm engine raises like a device outage; it returns when a player sees frames again), and stills
 * attached to alarms (kept in <journal>/snapshots, journaled as camera.snapshot, each also recorded in
 * <journal>/video-audit.jsonl with who, when, what).
 */
import { createHash, randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CameraRecord } from '../contracts/cameras.ts';
import type { FeedEvent } from '../contracts/events.ts';
import { VideoRequest, type VideoAnswer } from '../contracts/video.ts';
import type { User } from '../people/policy.ts';
import type { FeedCore } from './core.ts';

export interface VideoServiceOptions {
  core: FeedCore;
  /** the registry's cameras (with stream URLs), as loaded at start */
  registry: readonly CameraRecord[];
  journalDir: string;
  emit: (events: FeedEvent[]) => void;
  log: (msg: string) => void;
}

/** Entities' cameras merged with a registry: a registry record replaces the demo camera of the same id. */
export function mergeRegistryCameras<C extends { id: string }>(
  cameras: C[],
  registry: readonly CameraRecord[],
  toEntity: (r: CameraRecord) => C,
): { replaced: number; added: number } {
  const index = new Map(cameras.map((c, i) => [c.id, i]));
  let replaced = 0;
  let added = 0;
  for (const r of registry) {
    const i = index.get(r.id);
    if (i !== undefined) {
      cameras[i] = toEntity(r);
      replaced++;
    } else {
      index.set(r.id, cameras.length);
      cameras.push(toEntity(r));
      added++;
    }
  }
  return { replaced, added };
}

export class VideoService {
  /** each camera's stream health as last reported (one report per change goes into the journal) */
  private readonly streamDown = new Map<string, boolean>();
  private readonly known: Set<string>;

  /** stills coming up in parts, per user and upload id; at most MAX_UPLOADS at a time, each for UPLOAD_TTL_MS */
  private readonly uploads = new Map<
    string,
    { parts: Array<string | undefined>; got: number; cameraId: string; alarmId: string | undefined; requestId: string | undefined; at: number }
  >();
  private static readonly MAX_UPLOADS = 16;
  private static readonly UPLOAD_TTL_MS = 60_000;

  /**
   * Takes one part of a still: the whole base64 once every part is in, how many parts are in while some are missing,
   * or why the part was refused (a part that does not fit the upload it names). Old and excess uploads are dropped.
   */
  private collect(userName: string, req: Extract<VideoRequest, { op: 'snapshot' }>): { whole: string } | { received: number } | { error: string } {
    const now = Date.now();
    for (const [k, u] of this.uploads) if (now - u.at > VideoService.UPLOAD_TTL_MS) this.uploads.delete(k);
    const key = `${userName}|${req.uploadId}`;
    let u = this.uploads.get(key);
    if (!u) {
      if (this.uploads.size >= VideoService.MAX_UPLOADS) this.uploads.delete(this.uploads.keys().next().value!);
      u = { parts: new Array<string | undefined>(req.parts), got: 0, cameraId: req.cameraId, alarmId: req.alarmId, requestId: req.requestId, at: now };
      this.uploads.set(key, u);
    }
    if (u.parts.length !== req.parts || u.cameraId !== req.cameraId || u.alarmId !== req.alarmId || u.requestId !== req.requestId)
      return { error: `part ${req.part} does not belong to upload ${req.uploadId}` };
    if (u.parts[req.part] === undefined) u.got++;
    u.parts[req.part] = req.jpeg;
    u.at = now;
    if (u.got < u.parts.length) return { received: u.got };
    this.uploads.delete(key);
    return { whole: u.parts.join('') };
  }

  constructor(private readonly o: VideoServiceOptions) {
    this.known = new Set(o.core.entities.cameras.map((c) => c.id));
  }

  answer(user: User, raw: unknown): VideoAnswer {
    const r = VideoRequest.safeParse(raw);
    if (!r.success) return { ok: false, error: r.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ') };
    const req = r.data;
    switch (req.op) {
      case 'list':
        return { ok: true, cameras: [...this.o.registry] };
      case 'health': {
        if (!this.known.has(req.cameraId)) return { ok: false, error: `unknown camera ${req.cameraId}` };
        // an undecodable codec is the gateway's configuration, not an outage: reported to the operator, not raised
        if (req.health === 'unsupported') return { ok: true, changed: false };
        const down = req.health === 'down';
        if ((this.streamDown.get(req.cameraId) ?? false) === down) return { ok: true, changed: false };
        if (this.o.core.follower) return { ok: false, error: 'this gateway does not journal (follower): the writer gateway takes stream health' };
        this.streamDown.set(req.cameraId, down);
        const events = this.o.core.ingest([
          {
            stream: 'camera',
            kind: 'camera.status',
            ts: Date.now(),
            cameraId: req.cameraId,
            online: !down,
            cause: 'stream',
            ...(req.detail ? { detail: req.detail } : {}),
          },
        ]);
        this.o.emit(events);
        this.o.log(`video: ${req.cameraId} stream ${down ? 'down' : 'back'} (${req.detail || 'no detail'}, reported by ${user.name})`);
        return { ok: true, changed: true };
      }
      case 'snapshot': {
        if (req.part >= req.parts) return { ok: false, error: `part ${req.part} of ${req.parts}` };
        if (!this.known.has(req.cameraId)) return { ok: false, error: `unknown camera ${req.cameraId}` };
        // refused at the first part, not after the whole still was collected
        if (this.o.core.follower) return { ok: false, error: 'this gateway does not journal (follower): the writer gateway takes snapshots' };
        const got = this.collect(user.name, req);
        if ('received' in got) return { ok: true, received: got.received };
        if ('error' in got) return { ok: false, error: got.error };
        const bytes = Buffer.from(got.whole, 'base64');
        if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8 || bytes[2] !== 0xff) return { ok: false, error: 'the snapshot is not a JPEG' };
        const snapshotId = `SNAP-${Date.now()}-${randomUUID().slice(0, 8)}`;
        const dir = join(this.o.journalDir, 'snapshots');
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, `${snapshotId}.jpg`), bytes, { flag: 'wx' });
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        appendFileSync(
          join(this.o.journalDir, 'video-audit.jsonl'),
          `${JSON.stringify({ at: Date.now(), op: 'snapshot', snapshotId, cameraId: req.cameraId, alarmId: req.alarmId ?? null, requestId: req.requestId ?? null, bytes: bytes.length, sha256, by: req.by, user: user.name })}\n`,
        );
        const events = this.o.core.ingest([
          {
            stream: 'camera',
            kind: 'camera.snapshot',
            ts: Date.now(),
            cameraId: req.cameraId,
            snapshotId,
            ...(req.alarmId ? { alarmId: req.alarmId } : {}),
            ...(req.requestId ? { requestId: req.requestId } : {}),
            bytes: bytes.length,
            sha256,
            by: req.by,
          },
        ]);
        this.o.emit(events);
        return { ok: true, snapshotId };
      }
      case 'snapshot-get': {
        // the id's shape was checked (no path in it): only files this service wrote can be read
        const file = join(this.o.journalDir, 'snapshots', `${req.snapshotId}.jpg`);
        if (!existsSync(file)) return { ok: false, error: `no snapshot ${req.snapshotId} on this gateway` };
        return { ok: true, jpeg: readFileSync(file).toString('base64') };
      }
    }
  }
}
