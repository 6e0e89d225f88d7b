/**
 * Thin adapters from a camera's stream URL to a <video> element, one per protocol a GB/T 28181 gateway (ZLMediaKit,
 * WVP…) hands out: HLS (hls.js), HTTP-FLV and WebSocket-FLV (mpegts.js), WebRTC (WHEP: one POST of an SDP offer).
 * An engine only attaches and reports (codec, latency, errors) to the tile; the tile's model decides states and
 * reconnects (tile-model.ts). Players are loaded on first use (hls.js and mpegts.js stay out of the start bundle).
 */
import type { VideoProtocol } from '../../../data-pipelines/contracts/cameras.ts';
import { isHevc, type TileEvent } from './tile-model.ts';

export type Report = (ev: TileEvent) => void;
export interface Engine {
  destroy(): void;
}
export type EngineFactory = (video: HTMLVideoElement, url: string, report: Report) => Promise<Engine>;

/** Can this browser decode the codec through Media Source Extensions? (Chromium without platform HEVC: no for hvc1.) */
export function mseCanPlay(codec: string): boolean {
  const MS = (globalThis as { MediaSource?: { isTypeSupported(t: string): boolean } }).MediaSource;
  if (!MS) return false;
  return MS.isTypeSupported(`video/mp4; codecs="${codec}"`);
}

const unsupported = (codec: string) => ({ t: 'error' as const, kind: 'unsupported' as const, detail: codec });

/** HLS through hls.js (MSE). Live edge kept ~2 segments behind; the latency is hls.js's own estimate. */
export const hlsEngine: EngineFactory = async (video, url, report) => {
  const { default: Hls } = await import('hls.js');
  if (!Hls.isSupported()) {
    report({ t: 'error', kind: 'unsupported', detail: 'MSE' });
    return { destroy() {} };
  }
  const hls = new Hls({
    liveSyncDurationCount: 2,
    liveMaxLatencyDurationCount: 6,
    maxLiveSyncPlaybackRate: 1.5,
    manifestLoadingMaxRetry: 0,
    levelLoadingMaxRetry: 1,
    fragLoadingMaxRetry: 1,
    enableWorker: true,
    backBufferLength: 10,
  });
  let dead = false;
  const codecOf = (c: string | undefined) => {
    if (!c) return;
    report({ t: 'codec', codec: c });
    if (isHevc(c) && !mseCanPlay(c)) {
      dead = true;
      report(unsupported(c));
    }
  };
  hls.on(Hls.Events.MANIFEST_PARSED, (_e, d) => codecOf(d.levels[0]?.videoCodec));
  hls.on(Hls.Events.BUFFER_CODECS, (_e, d) => codecOf(d.video?.codec ?? d.audiovideo?.codec));
  hls.on(Hls.Events.ERROR, (_e, d) => {
    if (dead) return;
    const codecError = /codec|incompatible/i.test(String(d.details)) || d.error?.name === 'NotSupportedError';
    if (codecError) {
      dead = true;
      report(unsupported(String((d as { mimeType?: string }).mimeType ?? d.details)));
      return;
    }
    if (!d.fatal) return;
    dead = true;
    report({ t: 'error', kind: d.type === Hls.ErrorTypes.NETWORK_ERROR ? 'network' : 'media', detail: String(d.details) });
  });
  const latency = setInterval(() => {
    if (Number.isFinite(hls.latency) && hls.latency > 0) report({ t: 'latency', seconds: hls.latency });
  }, 1000);
  hls.loadSource(url);
  hls.attachMedia(video);
  void video.play().catch(() => undefined);
  return {
    destroy() {
      clearInterval(latency);
      hls.destroy();
    },
  };
};

/**
 * Chromium opens at most 6 HTTP/1.1 connections per server, and an HTTP-FLV stream holds one for as long as it plays:
 * a 7th tile from the same gateway would wait forever (and starve its HLS playlists too). So at most this many
 * HTTP-FLV players per origin (one connection left for playlists, segments and WHEP); a tile beyond it says why, and
 * a camera that also offers WebSocket-FLV or HLS moves on to it. WebSocket-FLV has no such limit: the protocol for a
 * wall of many tiles from one gateway.
 */
export const HTTP_FLV_PER_ORIGIN = 5;
export const CONNECTION_LIMIT = 'connection-limit';
const httpFlvOpen = new Map<string, number>();

/** Takes one of an origin's HTTP-FLV slots (true), or there is none left (false). WebSocket URLs need none. */
export function takeFlvSlot(url: string): boolean {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return true;
  const n = httpFlvOpen.get(u.origin) ?? 0;
  if (n >= HTTP_FLV_PER_ORIGIN) return false;
  httpFlvOpen.set(u.origin, n + 1);
  return true;
}

export function releaseFlvSlot(url: string): void {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return;
  const n = (httpFlvOpen.get(u.origin) ?? 1) - 1;
  if (n > 0) httpFlvOpen.set(u.origin, n);
  else httpFlvOpen.delete(u.origin);
}

/** HTTP-FLV or WebSocket-FLV (ws:// URL) through mpegts.js, chasing the live edge (buffer kept under ~1.5 s). */
export const flvEngine: EngineFactory = async (video, url, report) => {
  if (!takeFlvSlot(url)) {
    report({ t: 'error', kind: 'network', detail: CONNECTION_LIMIT });
    return { destroy() {} };
  }
  let released = false;
  const release = () => {
    if (!released) releaseFlvSlot(url);
    released = true;
  };
  try {
    return await startFlv(video, url, report, release);
  } catch (e) {
    release();
    throw e;
  }
};

async function startFlv(video: HTMLVideoElement, url: string, report: Report, release: () => void): Promise<Engine> {
  const mpegts = (await import('mpegts.js')).default;
  if (!mpegts.getFeatureList().mseLivePlayback) {
    release();
    report({ t: 'error', kind: 'unsupported', detail: 'MSE' });
    return { destroy() {} };
  }
  mpegts.LoggingControl.enableAll = false;
  const player = mpegts.createPlayer(
    { type: 'flv', isLive: true, hasAudio: false, url },
    {
      enableWorker: false,
      lazyLoad: false,
      liveBufferLatencyChasing: true,
      liveBufferLatencyMaxLatency: 1.5,
      liveBufferLatencyMinRemain: 0.3,
      autoCleanupSourceBuffer: true,
    },
  );
  let dead = false;
  player.on(mpegts.Events.MEDIA_INFO, (info: { videoCodec?: string; mimeType?: string }) => {
    const c = info.videoCodec ?? '';
    if (!c) return;
    report({ t: 'codec', codec: c });
    if (!mseCanPlay(c)) {
      dead = true;
      report(unsupported(c));
    }
  });
  player.on(mpegts.Events.ERROR, (type: string, detail: string, info?: { msg?: string }) => {
    if (dead) return;
    dead = true;
    const codecError = /codec|unsupported/i.test(`${detail} ${info?.msg ?? ''}`);
    report(
      codecError
        ? unsupported(String(info?.msg ?? detail))
        : { t: 'error', kind: type === mpegts.ErrorTypes.NETWORK_ERROR ? 'network' : 'media', detail: `${detail}${info?.msg ? `: ${info.msg}` : ''}` },
    );
  });
  player.on(mpegts.Events.LOADING_COMPLETE, () => {
    if (dead) return;
    dead = true;
    report({ t: 'error', kind: 'ended', detail: 'stream ended' });
  });
  const latency = setInterval(() => {
    const b = video.buffered;
    if (b.length) report({ t: 'latency', seconds: Math.max(0, b.end(b.length - 1) - video.currentTime) });
  }, 1000);
  player.attachMediaElement(video);
  player.load();
  void Promise.resolve(player.play()).catch(() => undefined);
  return {
    destroy() {
      clearInterval(latency);
      try {
        player.pause();
        player.unload();
        player.detachMediaElement();
      } catch {
        /* already torn down */
      }
      player.destroy();
      release();
    },
  };
}

/**
 * WebRTC by WHEP (RFC 9725): one POST of a receive-only SDP offer (ICE gathered first: no trickle), the answer in the
 * body, the session's URL in Location (DELETEd on destroy). No STUN/TURN servers: the gateway is on the intranet.
 */
export const whepEngine: EngineFactory = async (video, url, report) => {
  const pc = new RTCPeerConnection({ iceServers: [] });
  let session: string | null = null;
  let closed = false;
  const destroy = () => {
    if (closed) return;
    closed = true;
    clearInterval(stats);
    pc.close();
    if (session) void fetch(session, { method: 'DELETE' }).catch(() => undefined);
  };
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.ontrack = (e) => {
    video.srcObject = e.streams[0] ?? new MediaStream([e.track]);
    void video.play().catch(() => undefined);
  };
  pc.onconnectionstatechange = () => {
    if (!closed && (pc.connectionState === 'failed' || pc.connectionState === 'closed'))
      report({ t: 'error', kind: 'network', detail: `webrtc ${pc.connectionState}` });
  };
  const stats = setInterval(() => {
    void pc.getStats().then((rs) =>
      rs.forEach((r: { type?: string; kind?: string; jitterBufferDelay?: number; jitterBufferEmittedCount?: number }) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video' && r.jitterBufferEmittedCount)
          report({ t: 'latency', seconds: (r.jitterBufferDelay ?? 0) / r.jitterBufferEmittedCount });
      }),
    );
  }, 1000);
  try {
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((resolve) => {
      if (pc.iceGatheringState === 'complete') return resolve();
      const done = setTimeout(resolve, 3000);
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete') {
          clearTimeout(done);
          resolve();
        }
      });
    });
    const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription!.sdp });
    if (res.status !== 201 && res.status !== 200) throw new Error(`WHEP ${res.status}`);
    const loc = res.headers.get('Location');
    if (loc) session = new URL(loc, url).href;
    const answer = await res.text();
    const codec = /a=rtpmap:\d+ (H264|H265|VP8|VP9|AV1)\//i.exec(answer)?.[1] ?? '';
    if (codec) report({ t: 'codec', codec: codec.toLowerCase() === 'h265' ? 'hvc1' : codec.toLowerCase() });
    if (!closed) await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  } catch (e) {
    if (!closed) report({ t: 'error', kind: 'network', detail: (e as Error).message });
  }
  return { destroy };
};

export const ENGINES: Record<VideoProtocol, EngineFactory> = { hls: hlsEngine, flv: flvEngine, wsflv: flvEngine, webrtc: whepEngine };

/** Which of a camera's URLs to play: low latency first (WebRTC, then FLV over WebSocket or HTTP), HLS last. */
export const PROTOCOL_PREFERENCE: readonly VideoProtocol[] = ['webrtc', 'wsflv', 'flv', 'hls'];

export function pickStream(streams: Partial<Record<VideoProtocol, string>>, prefer?: VideoProtocol): { protocol: VideoProtocol; url: string } | null {
  const order = prefer ? [prefer, ...PROTOCOL_PREFERENCE.filter((p) => p !== prefer)] : PROTOCOL_PREFERENCE;
  for (const p of order) {
    const url = streams[p];
    if (url) return { protocol: p, url };
  }
  return null;
}
