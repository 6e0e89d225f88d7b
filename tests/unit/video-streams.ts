/**
 * Live camera-like video for tests and benchmarks (issue 20): Debian's `ffmpeg` generates each stream (lavfi
 * `testsrc2` with the label, the wall clock and a frame counter burnt in), served by an HTTP server on a free
 * loopback port, the way a real video gateway serves a wall on another origin (CORS `*`, `Cache-Control: no-cache`).
 *
 *   const video = await startVideoServer();
 *   const cam = await video.add('cam-1', { label: '东门 1', codec: 'h264', width: 320, height: 180, fps: 15 });
 *   cam.hlsUrl        `${origin}/live/cam-1/index.m3u8`   live HLS (1 s segments, 6 listed, no ENDLIST)
 *   cam.hlsMasterUrl  `${origin}/live/cam-1/master.m3u8`  master playlist with CODECS (avc1… / hvc1…)
 *   cam.flvUrl        `${origin}/flv/cam-1.flv`           HTTP-FLV, an endless chunked response (h264 only)
 *   cam.wsFlvUrl      `ws://127.0.0.1:PORT/flv/cam-1.flv` WebSocket-FLV: the same bytes as binary messages
 *   await cam.stop()  the camera goes away: its ffmpeg processes are killed, the playlist and segments 404, open
 *                     FLV responses and WebSockets are destroyed, new FLV requests 404
 *   await cam.start() it comes back (resolves once the playlist lists >= 2 segments)
 *   await video.close()  kills every ffmpeg, closes the server, removes the temp folder (idempotent)
 *   video.pids()      the ffmpeg processes alive now (tests check that none outlives close())
 *
 * WHEP (WebRTC): `POST cam.whepUrl` (`${origin}/whep/cam-1`, Content-Type application/sdp, non-trickle offer) →
 * 201 + answer + `Location: /whep/cam-1/<session>`; `DELETE` it to end the session; PATCH (trickle) is 405. The media
 * comes from a sender page the test opens in the same Chromium (`cam.whepSenderUrl`: a canvas with the label, clock
 * and frame counter → captureStream → one RTCPeerConnection per session); the server relays offers to it over SSE
 * and its answers back, passing only 127.0.0.1 ICE candidates (an offer without one: 400 saying what Chromium needs,
 * WEBRTC_LOOPBACK_ARGS + camera/microphone permission; no sender page open: 503). stop() closes the sessions and new
 * offers get 404 until start(). tests/e2e/video-whep.test.ts plays it in Chromium.
 *
 * HLS: one ffmpeg per stream writes segments into a temp folder (h264: MPEG-TS `.ts`, Constrained Baseline so
 * Chromium's MSE plays it; h265: fMP4 `.m4s` + `init.mp4`, tagged hvc1, which Chromium on Linux cannot decode: the
 * "unsupported codec" case). Media sequence numbers start at the epoch second, so they keep increasing across a
 * stop()/start() like a gateway's would. FLV: one ffmpeg per client (`-f flv pipe:1`), killed when the client goes.
 * Every child is SIGKILLed if the test process exits without close(), and (setpriv --pdeathsig) when it is killed;
 * `pids()` lists the live ones for tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FFMPEG = ['/usr/bin/ffmpeg', '/usr/local/bin/ffmpeg'].find((p) => existsSync(p));
export const FFPROBE = ['/usr/bin/ffprobe', '/usr/local/bin/ffprobe'].find((p) => existsSync(p));
/** util-linux setpriv (installed by .ci/run): ffmpeg gets SIGKILL when the test process dies, even by kill -9. */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
/** A font with CJK glyphs (fonts-wqy-microhei, installed by .ci/run) so Chinese labels render. */
export const VIDEO_FONT = ['/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'].find((p) => existsSync(p));

/**
 * Chromium flags a WHEP test needs: loopback ICE candidates, as IP addresses (not mDNS names). Chromium offers
 * 127.0.0.1 candidates only to a page with camera/microphone permission as well: grant it to the player's and the
 * sender's origins (`context.grantPermissions(['camera', 'microphone'], { origin })`); nothing is captured.
 */
export const WEBRTC_LOOPBACK_ARGS = ['--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns'];

export type VideoCodec = 'h264' | 'h265';

export interface StreamOptions {
  /** default h264 */
  codec?: VideoCodec;
  /** default 320x180 at 15 fps (9-16 of them must leave a 2-core machine usable) */
  width?: number;
  height?: number;
  fps?: number;
  /** burnt into the picture above the clock; default the id */
  label?: string;
}

export interface TestStream {
  id: string;
  codec: VideoCodec;
  hlsUrl: string;
  hlsMasterUrl: string;
  /** HTTP-FLV; h264 only (an h265 stream answers 404 here) */
  flvUrl: string;
  wsFlvUrl: string;
  /** true between start() and stop() */
  readonly running: boolean;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** FLV clients (HTTP and WebSocket) being served right now */
  flvClients(): number;
  /** WHEP endpoint: POST an SDP offer (non-trickle), get 201 + answer + Location; DELETE the Location to end it */
  whepUrl: string;
  /** the page that sends this camera over WebRTC (a canvas with the label and a clock); a test opens it in Chromium */
  whepSenderUrl: string;
  /** sender pages connected for this stream, and WHEP sessions open on it */
  whep(): { senders: number; sessions: number };
}

export interface VideoServer {
  origin: string;
  /** the temp folder holding every stream's segments (removed by close()) */
  dir: string;
  add(id: string, o?: StreamOptions): Promise<TestStream>;
  /** PIDs of the ffmpeg processes alive right now (HLS writers and FLV clients) */
  pids(): number[];
  /** the last ffmpeg error output (for failure messages) */
  log(): string;
  close(): Promise<void>;
}

export interface VideoServerOptions {
  /** how long start() waits for the first 2 segments before it fails with ffmpeg's output; default 120 s */
  readyTimeoutMs?: number;
}

const MIME: Record<string, string> = {
  m3u8: 'application/vnd.apple.mpegurl',
  ts: 'video/mp2t',
  m4s: 'video/mp4',
  mp4: 'video/mp4',
};

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, HEAD, POST, DELETE, OPTIONS',
  'Access-Control-Allow-Headers': '*',
  'Access-Control-Expose-Headers': '*',
};

/** Segment names listed in a media playlist. */
export function playlistSegments(m3u8: string): string[] {
  return m3u8
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

/** ffmpeg input + encoder arguments shared by the HLS writer and the FLV clients. */
function encodeArgs(dir: string, codec: VideoCodec, w: number, h: number, fps: number): string[] {
  const size = Math.max(12, Math.round(h / 7));
  const draw = [
    `drawtext=textfile=${join(dir, 'label.txt')}:expansion=normal`,
    ...(VIDEO_FONT ? [`fontfile=${VIDEO_FONT}`] : []),
    `fontsize=${size}:line_spacing=${Math.round(size / 4)}:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=${Math.round(size / 5)}:x=${size / 2}:y=h-th-${size / 2}`,
  ].join(':');
  const kbps = Math.min(4000, Math.max(100, Math.round((w * h) / 192)));
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-re',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${w}x${h}:rate=${fps}`,
    '-vf',
    draw,
    '-filter_threads',
    '1',
    '-an',
    ...(codec === 'h264'
      ? ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline']
      : ['-c:v', 'libx265', '-preset', 'ultrafast', '-tune', 'zerolatency', '-x265-params', 'log-level=error:pools=1:frame-threads=1', '-tag:v', 'hvc1']),
    '-threads',
    '1',
    '-pix_fmt',
    'yuv420p',
    // a key frame every second exactly: 1 s segments, and an FLV client starts playing within a second
    '-g',
    String(fps),
    '-keyint_min',
    String(fps),
    '-sc_threshold',
    '0',
    // a bitrate lets ffmpeg write BANDWIDTH and CODECS into the master playlist
    '-b:v',
    `${kbps}k`,
  ];
}

interface Child {
  proc: ChildProcess;
  exited: Promise<void>;
}

/** The SDP with only its 127.0.0.1 ICE candidates (host candidates on other interfaces, mDNS names dropped). */
export function loopbackCandidates(sdp: string): string {
  return sdp
    .split(/\r?\n/)
    .filter((l) => !l.startsWith('a=candidate:') || l.split(' ')[4] === '127.0.0.1')
    .join('\r\n');
}

/** The WHEP sender page: a canvas (colour bars, moving bar, label, clock, frame counter) → captureStream → one
 * RTCPeerConnection per WHEP session, offers and closes arriving over SSE. */
function senderPage(cfg: { id: string; label: string; w: number; h: number; fps: number }): string {
  const script = `
const cfg = ${JSON.stringify(cfg).replace(/</g, '\\u003c')};
const c = document.createElement('canvas');
c.width = cfg.w;
c.height = cfg.h;
document.body.append(c);
const g = c.getContext('2d');
let n = 0;
const colors = ['#c00', '#0a0', '#cc0', '#00c', '#c0c', '#0cc'];
function draw() {
  n++;
  const w = c.width, h = c.height, size = Math.max(12, Math.round(h / 7));
  colors.forEach((col, i) => { g.fillStyle = col; g.fillRect((i * w) / 6, 0, w / 6 + 1, h); });
  g.fillStyle = '#fff';
  g.fillRect((n * 4) % w, 0, 6, h);
  g.font = size + 'px "WenQuanYi Micro Hei", sans-serif';
  const lines = [cfg.label, new Date().toTimeString().slice(0, 8) + '  #' + n];
  g.fillStyle = 'rgba(0,0,0,0.6)';
  g.fillRect(size / 2 - 4, h - size * 2.7 - size / 2, Math.max(...lines.map((l) => g.measureText(l).width)) + 8, size * 2.7);
  g.fillStyle = '#fff';
  g.textBaseline = 'bottom';
  g.fillText(lines[0], size / 2, h - size * 1.35 - size / 2);
  g.fillText(lines[1], size / 2, h - size / 2);
}
draw();
setInterval(draw, 1000 / cfg.fps);
const track = c.captureStream(cfg.fps).getVideoTracks()[0];
const pcs = new Map();
const answer = (session, type, body) => fetch('/whep-signal/' + cfg.id + '/' + session, { method: 'POST', headers: { 'content-type': type }, body });
const es = new EventSource('/whep-signal/' + cfg.id);
es.addEventListener('open', () => (document.body.dataset.connected = 'true'));
es.addEventListener('offer', async (ev) => {
  const { session, sdp } = JSON.parse(ev.data);
  const pc = new RTCPeerConnection({ iceServers: [] });
  pcs.set(session, pc);
  try {
    await pc.setRemoteDescription({ type: 'offer', sdp });
    const video = pc.getTransceivers().find((t) => t.receiver.track.kind === 'video');
    if (!video) throw new Error('the offer has no video');
    for (const t of pc.getTransceivers()) t.direction = t === video ? 'sendonly' : 'inactive';
    await video.sender.replaceTrack(track);
    await pc.setLocalDescription(await pc.createAnswer());
    await new Promise((r) => {
      if (pc.iceGatheringState === 'complete') return r();
      pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r());
    });
    await answer(session, 'application/sdp', pc.localDescription.sdp);
  } catch (e) {
    pc.close();
    pcs.delete(session);
    await answer(session, 'text/plain', String(e && e.message || e));
  }
});
es.addEventListener('close', (ev) => {
  const { session } = JSON.parse(ev.data);
  pcs.get(session)?.close();
  pcs.delete(session);
});
es.addEventListener('stop', () => {
  for (const pc of pcs.values()) pc.close();
  pcs.clear();
});
window.whepSessions = () => pcs.size;
`;
  return `<!doctype html><meta charset="utf-8"><title>WHEP sender ${cfg.id}</title><body style="margin:0;background:#000"><script>${script}</script></body>`;
}

export async function startVideoServer(opts: VideoServerOptions = {}): Promise<VideoServer> {
  if (!FFMPEG) throw new Error('ffmpeg is not installed: sudo apt-get install -y ffmpeg (.ci/run does)');
  const readyTimeoutMs = opts.readyTimeoutMs ?? 120_000;
  const root = mkdtempSync(join(tmpdir(), 'redwall-video-'));
  const children = new Set<Child>();
  let lastErr = '';
  let closing: Promise<void> | null = null;
  // never outlive the test process, even when it exits without close() (a crash, process.exit)
  const reap = () => {
    for (const c of children) c.proc.kill('SIGKILL');
  };
  process.on('exit', reap);

  function run(args: string[], stdout: 'pipe' | 'ignore'): Child {
    const proc = SETPRIV
      ? spawn(SETPRIV, ['--pdeathsig', 'KILL', '--', FFMPEG!, ...args], { stdio: ['ignore', stdout, 'pipe'] })
      : spawn(FFMPEG!, args, { stdio: ['ignore', stdout, 'pipe'] });
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-4000);
      lastErr = `ffmpeg ${proc.pid}: ${err}`;
    });
    const child: Child = {
      proc,
      exited: new Promise<void>((r) => {
        proc.once('exit', () => r());
        // spawn failure (ENOENT, EAGAIN): there is no exit event
        proc.once('error', (e) => {
          lastErr = `ffmpeg did not start: ${e.message}`;
          r();
        });
      }).then(() => {
        children.delete(child);
      }),
    };
    children.add(child);
    return child;
  }

  async function kill(c: Child | null): Promise<void> {
    if (!c) return;
    if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    await c.exited;
  }

  interface Entry {
    stream: TestStream;
    label: string;
    /** WHEP sender pages (their SSE responses), newest last */
    senders: Set<ServerResponse>;
    /** WHEP sessions: their sender page, and the pending POST waiting for the answer */
    sessions: Map<string, { sender: ServerResponse; answer: ((sdp: string) => void) | null }>;
    dir: string;
    running: boolean;
    hls: Child | null;
    flv: Set<{ child: Child | null; drop: () => void }>;
    codec: VideoCodec;
    w: number;
    h: number;
    fps: number;
  }
  const streams = new Map<string, Entry>();

  function cleanDir(dir: string): void {
    for (const f of readdirSync(dir)) if (f !== 'label.txt') rmSync(join(dir, f), { force: true, recursive: true });
  }

  /** One ffmpeg writing FLV to stdout for one client; `write` gets its bytes, `drop` ends the client abruptly. */
  function serveFlv(e: Entry, write: (b: Buffer) => boolean, onDrain: (resume: () => void) => void, drop: () => void): () => void {
    const args = [...encodeArgs(e.dir, 'h264', e.w, e.h, e.fps), '-flush_packets', '1', '-f', 'flv', '-flvflags', 'no_duration_filesize', 'pipe:1'];
    const child = run(args, 'pipe');
    const client = { child: child as Child | null, drop };
    e.flv.add(client);
    const out = child.proc.stdout!;
    out.on('data', (b: Buffer) => {
      if (!write(b)) {
        out.pause();
        onDrain(() => out.resume());
      }
    });
    // ffmpeg ended by itself (it should not): the client's stream ends with it
    void child.exited.then(() => {
      if (e.flv.delete(client)) drop();
    });
    return () => {
      e.flv.delete(client);
      void kill(child);
    };
  }

  function notFound(res: ServerResponse, why: string): void {
    res.writeHead(404, { ...CORS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' });
    res.end(`${why}\n`);
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, CORS);
      res.end();
      return;
    }
    if (url.pathname.startsWith('/whep')) return void onWhep(req, res, url);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...CORS, Allow: 'GET, HEAD, OPTIONS' });
      res.end();
      return;
    }
    const live = /^\/live\/([\w-]+)\/([\w-]+\.(m3u8|ts|m4s|mp4))$/.exec(url.pathname);
    if (live) {
      const e = streams.get(live[1]!);
      if (!e) return notFound(res, `no stream ${live[1]}`);
      if (!e.running) return notFound(res, `stream ${live[1]} is stopped`);
      let body: Buffer;
      try {
        body = readFileSync(join(e.dir, live[2]!));
      } catch {
        return notFound(res, `${live[2]} is not there (not written yet, or already deleted)`);
      }
      res.writeHead(200, { ...CORS, 'Content-Type': MIME[live[3]!]!, 'Content-Length': body.length, 'Cache-Control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    const flv = /^\/flv\/([\w-]+)\.flv$/.exec(url.pathname);
    if (flv) {
      const e = streams.get(flv[1]!);
      if (!e) return notFound(res, `no stream ${flv[1]}`);
      if (!e.running) return notFound(res, `stream ${flv[1]} is stopped`);
      if (e.codec !== 'h264') return notFound(res, `stream ${flv[1]} is ${e.codec}: FLV is served for h264 only`);
      res.writeHead(200, { ...CORS, 'Content-Type': 'video/x-flv', 'Cache-Control': 'no-cache' });
      if (req.method === 'HEAD') return void res.end();
      res.flushHeaders();
      const end = serveFlv(
        e,
        (b) => res.write(b),
        (resume) => res.once('drain', resume),
        () => res.destroy(),
      );
      res.once('close', end);
      return;
    }
    notFound(res, `nothing at ${url.pathname}`);
  }

  function sse(to: ServerResponse, event: string, data: unknown): void {
    to.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  function readBody(req: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d: string) => {
        body += d;
        if (body.length > 1_000_000) req.destroy(new Error('body too large'));
      });
      req.on('end', () => resolve(body));
      req.on('error', reject);
    });
  }

  function text(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    res.writeHead(status, { ...CORS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache', ...headers });
    res.end(`${body}\n`);
  }

  /**
   * WHEP (non-trickle) with the media from a sender page in the same browser: the offer goes to the page over SSE,
   * the page answers by POST. Only 127.0.0.1 ICE candidates are passed on either way, so media stays on loopback.
   */
  async function onWhep(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    if (url.pathname === '/whep-sender.html' && method === 'GET') {
      const e = streams.get(url.searchParams.get('id') ?? '');
      if (!e) return notFound(res, `no stream ${url.searchParams.get('id')}`);
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' });
      res.end(senderPage({ id: e.stream.id, label: e.label, w: e.w, h: e.h, fps: e.fps }));
      return;
    }
    const signal = /^\/whep-signal\/([\w-]+)(?:\/([\w-]+))?$/.exec(url.pathname);
    if (signal) {
      const e = streams.get(signal[1]!);
      if (!e) return notFound(res, `no stream ${signal[1]}`);
      if (!signal[2] && method === 'GET') {
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
        res.write(': sender\n\n');
        e.senders.add(res);
        res.once('close', () => {
          e.senders.delete(res);
          for (const [id, s] of e.sessions) if (s.sender === res) e.sessions.delete(id);
        });
        return;
      }
      const session = signal[2] ? e.sessions.get(signal[2]) : undefined;
      if (!session || method !== 'POST') return notFound(res, `no WHEP session ${signal[2]} waiting for an answer`);
      const body = await readBody(req);
      session.answer?.((req.headers['content-type'] ?? '').startsWith('application/sdp') ? body : `error: ${body}`);
      session.answer = null;
      res.writeHead(204);
      res.end();
      return;
    }
    const whep = /^\/whep\/([\w-]+)(?:\/([\w-]+))?$/.exec(url.pathname);
    const e = whep ? streams.get(whep[1]!) : undefined;
    if (!whep || !e) return notFound(res, `nothing at ${url.pathname}`);
    if (whep[2]) {
      if (method === 'PATCH') return text(res, 405, 'trickle ICE is not supported: send the offer once ICE gathering is complete', { Allow: 'DELETE' });
      const s = e.sessions.get(whep[2]);
      if (method !== 'DELETE' || !s) return notFound(res, `no WHEP session ${whep[2]}`);
      e.sessions.delete(whep[2]);
      sse(s.sender, 'close', { session: whep[2] });
      res.writeHead(200, CORS);
      res.end();
      return;
    }
    if (method !== 'POST') return text(res, 405, 'POST an SDP offer', { Allow: 'POST, OPTIONS' });
    const offer = await readBody(req);
    if (!(req.headers['content-type'] ?? '').startsWith('application/sdp')) return text(res, 415, 'the offer must be Content-Type: application/sdp');
    if (!e.running) return notFound(res, `stream ${e.stream.id} is stopped`);
    const loopOffer = loopbackCandidates(offer);
    if (!/^a=candidate:/m.test(loopOffer))
      return text(
        res,
        400,
        'the offer has no 127.0.0.1 ICE candidate (media must stay on loopback): gather ICE completely before POSTing, start Chromium with --allow-loopback-in-peer-connection --disable-features=WebRtcHideLocalIpsWithMdns and grant the page camera/microphone permission (WEBRTC_LOOPBACK_ARGS)',
      );
    const sender = [...e.senders].at(-1);
    if (!sender) return text(res, 503, `no sender page for ${e.stream.id}: open ${e.stream.whepSenderUrl} in the browser first`);
    const id = randomUUID();
    const answer = await new Promise<string>((resolve) => {
      const s = { sender, answer: resolve as ((sdp: string) => void) | null };
      e.sessions.set(id, s);
      sse(sender, 'offer', { session: id, sdp: loopOffer });
      // the sender page went away (its sessions are dropped), the camera stopped, or the client gave up, before an answer
      const check = setInterval(() => {
        if (s.answer === null) return clearInterval(check);
        if (!e.sessions.has(id) || req.socket.destroyed) {
          clearInterval(check);
          s.answer = null;
          resolve('error: the sender page went away, or the stream stopped, before answering');
        }
      }, 100);
    });
    if (answer.startsWith('error: ')) {
      e.sessions.delete(id);
      return text(res, 502, `the sender could not answer: ${answer.slice(7)}`);
    }
    res.writeHead(201, { ...CORS, 'Content-Type': 'application/sdp', Location: `/whep/${e.stream.id}/${id}`, 'Cache-Control': 'no-cache' });
    res.end(loopbackCandidates(answer));
  }

  /** WebSocket-FLV (RFC 6455, server side of what mpegts.js's WebSocketLoader needs): binary frames out, close in. */
  function onUpgrade(req: IncomingMessage, socket: Duplex): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const m = /^\/flv\/([\w-]+)\.flv$/.exec(url.pathname);
    const e = m ? streams.get(m[1]!) : undefined;
    const key = req.headers['sec-websocket-key'];
    if (!e || !e.running || e.codec !== 'h264' || typeof key !== 'string' || String(req.headers.upgrade).toLowerCase() !== 'websocket') {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    const frame = (opcode: number, payload: Buffer): Buffer => {
      const n = payload.length;
      const head = n < 126 ? Buffer.from([0x80 | opcode, n]) : n < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
      if (n >= 126) head[0] = 0x80 | opcode;
      if (n >= 126 && n < 65536) {
        head[1] = 126;
        head.writeUInt16BE(n, 2);
      } else if (n >= 65536) {
        head[1] = 127;
        head.writeBigUInt64BE(BigInt(n), 2);
      }
      return Buffer.concat([head, payload]);
    };
    const end = serveFlv(
      e,
      (b) => socket.write(frame(0x2, b)),
      (resume) => socket.once('drain', resume),
      () => socket.destroy(),
    );
    socket.once('close', end);
    socket.on('error', () => socket.destroy());
    // client frames: answer a close with a close, a ping with a pong; FLV clients send nothing else
    let inbuf = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      inbuf = Buffer.concat([inbuf, d]);
      for (;;) {
        if (inbuf.length < 2) return;
        const opcode = inbuf[0]! & 0x0f;
        const masked = (inbuf[1]! & 0x80) !== 0;
        let len = inbuf[1]! & 0x7f;
        let off = 2;
        if (len === 126) {
          if (inbuf.length < 4) return;
          len = inbuf.readUInt16BE(2);
          off = 4;
        } else if (len === 127) {
          if (inbuf.length < 10) return;
          len = Number(inbuf.readBigUInt64BE(2));
          off = 10;
        }
        const maskOff = off;
        if (masked) off += 4;
        if (inbuf.length < off + len) return;
        const payload = Buffer.from(inbuf.subarray(off, off + len));
        if (masked) for (let i = 0; i < len; i++) payload[i]! ^= inbuf[maskOff + (i % 4)]!;
        inbuf = inbuf.subarray(off + len);
        if (opcode === 0x8) {
          socket.end(frame(0x8, payload.subarray(0, 2)));
          end();
          return;
        }
        if (opcode === 0x9) socket.write(frame(0xa, payload));
      }
    });
  }

  const server = createServer(onRequest);
  server.on('upgrade', onUpgrade);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const origin = `http://127.0.0.1:${port}`;

  async function startHls(e: Entry): Promise<void> {
    cleanDir(e.dir);
    const segExt = e.codec === 'h264' ? 'ts' : 'm4s';
    const args = [
      ...encodeArgs(e.dir, e.codec, e.w, e.h, e.fps),
      '-f',
      'hls',
      '-hls_time',
      '1',
      '-hls_list_size',
      '6',
      // temp_file: the playlist and each segment appear by rename, never half-written to a reader
      '-hls_flags',
      'delete_segments+omit_endlist+temp_file',
      '-hls_start_number_source',
      'epoch',
      ...(e.codec === 'h265' ? ['-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', 'init.mp4'] : []),
      '-hls_segment_filename',
      join(e.dir, `seg-%d.${segExt}`),
      '-master_pl_name',
      'master.m3u8',
      join(e.dir, 'index.m3u8'),
    ];
    const child = run(args, 'ignore');
    e.hls = child;
    e.running = true;
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      if (e.hls !== child) throw new Error(`stream ${e.stream.id} was stopped before it was ready`);
      let list = '';
      try {
        list = readFileSync(join(e.dir, 'index.m3u8'), 'utf8');
      } catch {
        // not written yet
      }
      if (playlistSegments(list).length >= 2) return;
      if (child.proc.exitCode !== null || child.proc.signalCode !== null || Date.now() > deadline) {
        await kill(child);
        e.hls = null;
        e.running = false;
        throw new Error(`ffmpeg did not make 2 HLS segments for ${e.stream.id} (exit ${child.proc.exitCode ?? child.proc.signalCode}): ${lastErr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function stopStream(e: Entry): Promise<void> {
    e.running = false;
    // WebRTC: the sender pages close their peer connections (the page stays, ready for start())
    e.sessions.clear();
    for (const s of e.senders) sse(s, 'stop', {});
    const hls = e.hls;
    e.hls = null;
    const clients = [...e.flv];
    e.flv.clear();
    for (const c of clients) c.drop();
    await Promise.all([kill(hls), ...clients.map((c) => kill(c.child))]);
    cleanDir(e.dir);
  }

  return {
    origin,
    dir: root,
    async add(id, o = {}) {
      if (closing) throw new Error('the video server is closed');
      if (!/^[\w-]+$/.test(id)) throw new Error(`stream id ${JSON.stringify(id)}: use letters, digits, _ and - only`);
      if (streams.has(id)) throw new Error(`stream ${id} exists already`);
      const codec = o.codec ?? 'h264';
      if (codec !== 'h264' && codec !== 'h265') throw new Error(`codec ${String(codec)}: h264 or h265`);
      const w = o.width ?? 320;
      const h = o.height ?? 180;
      const fps = o.fps ?? 15;
      if (w % 2 || h % 2 || w < 16 || h < 16 || fps < 1) throw new Error(`stream ${id}: ${w}x${h} at ${fps} fps (even sizes >= 16, fps >= 1)`);
      const dir = join(root, id);
      mkdirSync(dir);
      // textfile, not text=: no filtergraph escaping of the label; % and \ would start drawtext sequences
      const label = (o.label ?? id).replace(/[\\%\n\r]/g, ' ');
      writeFileSync(join(dir, 'label.txt'), `${label}\n%{localtime:%T}  #%{n}`);
      const wsOrigin = origin.replace(/^http/, 'ws');
      const e: Entry = {
        label,
        senders: new Set(),
        sessions: new Map(),
        dir,
        running: false,
        hls: null,
        flv: new Set(),
        codec,
        w,
        h,
        fps,
        stream: {
          id,
          codec,
          hlsUrl: `${origin}/live/${id}/index.m3u8`,
          hlsMasterUrl: `${origin}/live/${id}/master.m3u8`,
          flvUrl: `${origin}/flv/${id}.flv`,
          wsFlvUrl: `${wsOrigin}/flv/${id}.flv`,
          get running() {
            return e.running;
          },
          stop: () => stopStream(e),
          async start() {
            if (closing) throw new Error('the video server is closed');
            if (e.running) return;
            await startHls(e);
          },
          flvClients: () => e.flv.size,
          whepUrl: `${origin}/whep/${id}`,
          whepSenderUrl: `${origin}/whep-sender.html?id=${id}`,
          whep: () => ({ senders: e.senders.size, sessions: e.sessions.size }),
        },
      };
      streams.set(id, e);
      try {
        await e.stream.start();
      } catch (err) {
        // a stream that never started is not left half-added
        streams.delete(id);
        rmSync(dir, { recursive: true, force: true });
        throw err;
      }
      return e.stream;
    },
    pids: () => [...children].filter((c) => c.proc.exitCode === null && c.proc.signalCode === null && c.proc.pid).map((c) => c.proc.pid!),
    log: () => lastErr,
    close() {
      closing ??= (async () => {
        await Promise.all([...streams.values()].map((e) => stopStream(e)));
        await Promise.all([...children].map((c) => kill(c)));
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
        rmSync(root, { recursive: true, force: true });
        process.off('exit', reap);
      })();
      return closing;
    },
  };
}
