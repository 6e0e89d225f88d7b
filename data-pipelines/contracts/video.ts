/**
 * The socket API's video operation (issue 20): the district's camera registry (stream URLs) for the players, the
 * players' view of a stream's health (the feed server turns a failed stream into a camera outage), and a still
 * attached to an alarm (the server keeps the picture and journals the attachment).
 */
import { z } from 'zod';
import { CAMERA_ID_RE, type CameraRecord } from './cameras.ts';

/** 2 MB of JPEG as base64 is plenty for a still of a 1080p picture. */
export const MAX_SNAPSHOT_BASE64 = 2_800_000;

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
      /** the JPEG, base64 */
      jpeg: z
        .string()
        .max(MAX_SNAPSHOT_BASE64)
        .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64 expected'),
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
  /** the still is kept on the feed server (<journal>/snapshots/<snapshotId>.jpg) */
  | { ok: true; snapshotId: string }
  /** snapshot-get: the JPEG, base64 */
  | { ok: true; jpeg: string }
  | { ok: false; error: string };

/** The list answer's cameras, typed for the caller of op 'list'. */
export type VideoListAnswer = { ok: true; cameras: CameraRecord[] } | { ok: false; error: string };
