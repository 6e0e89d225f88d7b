/**
 * A real camera as the district's video platform lists it (issue 20): where it stands (WGS84), where it looks, and the
 * per-camera stream URLs its GB/T 28181 gateway (ZLMediaKit, WVP) hands out. Pure (zod only): the feed validates a
 * registry with it, the renderer trusts nothing else. Loading CSV/JSON registries in other CRSs:
 * data-pipelines/sources/camera-registry.ts.
 *
 * Stream URLs come from outside, so they are checked hard: parsed with the WHATWG `URL` (as the browser will), only the
 * scheme each player uses (http(s) for HLS, HTTP-FLV and WHEP; ws(s) for WebSocket-FLV), no `user:pass@` (gateways
 * put their token in the query, which is allowed), no whitespace or control characters, at most 2048 characters. The
 * record keeps the parsed `href`, so what was checked is exactly what a player is given.
 */
import { z } from 'zod';

export const VIDEO_PROTOCOLS = ['hls', 'flv', 'wsflv', 'webrtc'] as const;
export type VideoProtocol = (typeof VIDEO_PROTOCOLS)[number];

/** The URL schemes each protocol's player accepts (webrtc: the WHEP endpoint is an HTTP resource). */
export const STREAM_SCHEMES: Readonly<Record<VideoProtocol, readonly string[]>> = {
  hls: ['http:', 'https:'],
  flv: ['http:', 'https:'],
  wsflv: ['ws:', 'wss:'],
  webrtc: ['http:', 'https:'],
};

export const MAX_STREAM_URL_LENGTH = 2048;
/** Admits the demo's CAM-0001 and 20-digit GB/T 28181 ids; no spaces, slashes or leading punctuation. */
export const CAMERA_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
export const GB_ID_RE = /^\d{20}$/;

export interface CameraRecord {
  id: string;
  name: string;
  /** WGS84 */
  lon: number;
  /** WGS84 */
  lat: number;
  heightM: number;
  /** [0, 360) degrees clockwise from north */
  heading: number;
  /** (0, 360] degrees */
  fov: number;
  rangeM: number;
  ptz: boolean;
  streams: Partial<Record<VideoProtocol, string>>;
  /** GB/T 28181 channel code, 20 digits */
  gbId?: string;
}

/** C0/C1 controls and the bidi embedding/override/isolate marks (which can make a name display as something else). */
const UNSAFE_TEXT_RE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const URL_FORBIDDEN_RE = /[\u0000-\u0020\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Why `raw` is not a usable stream URL for `protocol`, or null with the normalised href. */
export function checkStreamUrl(protocol: VideoProtocol, raw: string): { href: string } | { problem: string } {
  if (raw.length > MAX_STREAM_URL_LENGTH) return { problem: `${protocol} URL is ${raw.length} characters; at most ${MAX_STREAM_URL_LENGTH}` };
  if (URL_FORBIDDEN_RE.test(raw)) return { problem: `${protocol} URL must not contain spaces, control or bidi characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: `${protocol} URL is not an absolute URL: "${raw.slice(0, 80)}"` };
  }
  const schemes = STREAM_SCHEMES[protocol];
  if (!schemes.includes(url.protocol)) {
    return { problem: `${protocol} URL must use ${schemes.map((s) => s.slice(0, -1)).join(' or ')}, not ${url.protocol.slice(0, 40)}` };
  }
  if (url.username !== '' || url.password !== '') {
    return { problem: `${protocol} URL must not carry credentials (user:pass@host); a gateway token belongs in the query` };
  }
  if (url.hostname === '') return { problem: `${protocol} URL has no host` };
  if (url.href.length > MAX_STREAM_URL_LENGTH) return { problem: `${protocol} URL is longer than ${MAX_STREAM_URL_LENGTH} characters once normalised` };
  return { href: url.href };
}

const streamUrl = (protocol: VideoProtocol) =>
  z.string().transform((raw, ctx) => {
    const r = checkStreamUrl(protocol, raw);
    if ('problem' in r) {
      ctx.addIssue({ code: 'custom', message: r.problem });
      return z.NEVER;
    }
    return r.href;
  });

/** Degrees into [0, 360): -90 → 270, 360 → 0, 725 → 5 (and never -0 or a rounding 360). */
export function normaliseHeading(deg: number): number {
  const h = ((deg % 360) + 360) % 360;
  return h >= 360 || h === 0 ? 0 : h;
}

const num = (what: string) => z.number({ error: `${what} must be a finite number` });

export const CameraRecordSchema = z
  .object({
    id: z.string().regex(CAMERA_ID_RE, 'id must be 1-64 characters of A-Z a-z 0-9 _ . : - starting with a letter or digit'),
    name: z
      .string()
      .min(1, 'name must not be empty')
      .max(100, 'name must be at most 100 characters')
      .refine((s) => !UNSAFE_TEXT_RE.test(s), 'name must not contain control or bidi-override characters'),
    lon: num('lon').min(-180, 'lon must be in [-180, 180]').max(180, 'lon must be in [-180, 180]'),
    lat: num('lat').min(-90, 'lat must be in [-90, 90]').max(90, 'lat must be in [-90, 90]'),
    heightM: num('heightM').min(0, 'heightM must be 0..500 m').max(500, 'heightM must be 0..500 m').default(6),
    heading: num('heading').transform(normaliseHeading),
    fov: num('fov').gt(0, 'fov must be in (0, 360] degrees').max(360, 'fov must be in (0, 360] degrees'),
    rangeM: num('rangeM').gt(0, 'rangeM must be in (0, 5000] m').max(5000, 'rangeM must be in (0, 5000] m'),
    ptz: z.boolean({ error: 'ptz must be true or false' }),
    streams: z
      .object({
        hls: streamUrl('hls').optional(),
        flv: streamUrl('flv').optional(),
        wsflv: streamUrl('wsflv').optional(),
        webrtc: streamUrl('webrtc').optional(),
      })
      .strict(),
    gbId: z.string().regex(GB_ID_RE, 'gbId must be exactly 20 digits (GB/T 28181 code)').optional(),
  })
  .strict();

// The schema's output is exactly CameraRecord (checked both ways at compile time).
type SchemaOut = z.output<typeof CameraRecordSchema>;
const _toRecord = (c: SchemaOut): CameraRecord => c;
const _fromRecord = (c: CameraRecord): SchemaOut => c;
void _toRecord;
void _fromRecord;

/**
 * The sorted unique origins of every stream URL (ws/wss keep their scheme), for the Content-Security-Policy's
 * media-src/connect-src. Unparsable URLs (never in a validated record) are skipped.
 */
export function videoOrigins(cams: Iterable<CameraRecord>): string[] {
  const out = new Set<string>();
  for (const c of cams) {
    for (const p of VIDEO_PROTOCOLS) {
      const u = c.streams[p];
      if (u === undefined) continue;
      try {
        const origin = new URL(u).origin;
        if (origin !== 'null') out.add(origin);
      } catch {
        // not a URL: a validated record never has one
      }
    }
  }
  return [...out].sort();
}
