/**
 * The socket API's video operation (issue 20): the district's camera registry (stream URLs) for the players, the
 * players' view of a stream's health (the feed server turns a failed stream into a camera outage), and a still
 * attached to an alarm (the server keeps the picture and journals the attachment).
 */
import { z } from 'zod';
import { CAMERA_ID_RE, type CameraRecord } from './cameras.ts';

/**
 * A still goes up in parts: the feed socket takes messages of at most 64 KB (server.ts maxHttpBufferSize), a 1080p
 * JPEG is several hundred. 40,000 base64 characters per part, at most 64 parts (~1.9 MB of JPEG).
 */
export const SNAPSHOT_PART_CHARS = 40_000;
export const MAX_SNAPSHOT_PARTS = 64;

export const VideoRequest = z.discriminatedUnion('op', [
  z.object({ op: z.literal('list') }).strict(),
  z
    .object({
      op: z.literal('health'),
      cameraId: z.string().regex(CAMERA_ID_RE),
      health: z.enum(['ok', 'down', 'unsupported']),
      detail: z.string().max(200),
    })
    .strict(),
  z
    .object({
      op: z.literal('snapshot'),
      cameraId: z.string().regex(CAMERA_ID_RE),
      alarmId: z.string().min(1).max(128).optional(),
      requestId: z.string().min(1).max(64).optional(),
      /** one part of the JPEG's base64 (parts joined in order give the whole) */
      jpeg: z
        .string()
        .min(1)
        .max(SNAPSHOT_PART_CHARS)
        .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64 expected'),
      /** the upload this part belongs to (the client's random id), which part (0-based) and how many */
      uploadId: z.string().regex(/^[A-Za-z0-9-]{8,64}$/),
      part: z
        .number()
        .int()
        .min(0)
        .max(MAX_SNAPSHOT_PARTS - 1),
      parts: z.number().int().min(1).max(MAX_SNAPSHOT_PARTS),
      by: z.string().min(1).max(64),
    })
    .strict(),
  /** the picture of a journaled snapshot (camera.snapshot) */
  z.object({ op: z.literal('snapshot-get'), snapshotId: z.string().regex(/^SNAP-\d{13}-[0-9a-f]{8}$/, 'snapshot id has the wrong shape') }).strict(),
]);
export type VideoRequest = z.infer<typeof VideoRequest>;

export type VideoAnswer =
  | { ok: true; cameras: CameraRecord[] }
  | { ok: true; changed: boolean }
  /** the still is kept on the feed server (<journal>/snapshots/<snapshotId>.jpg), once its last part is in */
  | { ok: true; snapshotId: string }
  /** a part taken, more to come */
  | { ok: true; received: number }
  /** snapshot-get: the JPEG, base64 */
  | { ok: true; jpeg: string }
  | { ok: false; error: string };

/** The list answer's cameras, typed for the caller of op 'list'. */
export type VideoListAnswer = { ok: true; cameras: CameraRecord[] } | { ok: false; error: string };
