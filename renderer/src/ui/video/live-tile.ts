/**
 * One live video tile: a <video> fed by the camera's stream (engines.ts) or, for a demo camera without a URL, by the
 * generated picture; a bar with the camera, protocol, live latency and state; a clear overlay when the camera is
 * offline, has no signal, or sends a codec this machine cannot decode (H.265: the gateway must transcode to H.264).
 * A watchdog samples the element every 500 ms into the pure tile model and rebuilds the player when it says so; a
 * camera that keeps failing moves on to its next protocol. Health changes go to `onHealth` (feed health).
 */
import { autorun, type IReactionDisposer } from 'mobx';
import type { VideoProtocol } from '../../../../data-pipelines/contracts/cameras.ts';
import { fmtNumber, t } from '../../i18n.ts';
import { h } from '../dom.ts';
import { playDemoPicture } from './demo-picture.ts';
import { CONNECTION_LIMIT, ENGINES, HTTP_FLV_PER_ORIGIN, PROTOCOL_PREFERENCE, type Engine, type EngineFactory } from '../../video/engines.ts';
import { dueForReconnect, initialTile, isHevc, tileHealth, tileStep, type TileEvent, type TileModel } from '../../video/tile-model.ts';

export interface TileSource {
  cameraId: string;
  name: string;
  streams: Partial<Record<VideoProtocol, string>>;
  /** the demo picture's heading label */
  heading: number;
}

export type CameraHealth = 'ok' | 'down' | 'unsupported';

export interface LiveTileOptions {
  source: TileSource;
  /** the stream's health changed (debounced by state: once per change) */
  onHealth?: (cameraId: string, health: CameraHealth, detail: string) => void;
  /** a label shown before the camera name (e.g. the SOS button) */
  badge?: () => string;
  engines?: Partial<Record<VideoProtocol, EngineFactory>>;
}

export class LiveTile {
  readonly el: HTMLElement;
  readonly video: HTMLVideoElement;
  private model: TileModel;
  private engine: Engine | null = null;
  private demo: { destroy(): void } | null = null;
  private readonly protocols: VideoProtocol[];
  private protocolIndex = 0;
  private generation = 0;
  private readonly watchdog: ReturnType<typeof setInterval>;
  private readonly disposers: IReactionDisposer[] = [];
  private lastHealth: CameraHealth | null = null;
  private frames = 0;
  private destroyed = false;
  private readonly bar: HTMLElement;
  private readonly overlay: HTMLElement;

  constructor(private readonly opts: LiveTileOptions) {
    const s = opts.source;
    this.protocols = PROTOCOL_PREFERENCE.filter((p) => s.streams[p]);
    this.video = h('video', { muted: true, autoplay: true, playsinline: true, 'data-testid': 'video' });
    this.video.muted = true;
    this.bar = h('div', { class: 'tile-bar' });
    this.overlay = h('div', { class: 'tile-overlay', 'data-testid': 'tile-overlay', hidden: true });
    this.el = h('div', { class: 'live-tile', 'data-testid': 'live-tile', 'data-camera': s.cameraId }, this.video, this.overlay, this.bar);
    this.model = initialTile(Date.now());
    const countFrames = () => {
      if (this.destroyed) return;
      this.frames++;
      this.video.requestVideoFrameCallback(countFrames);
    };
    if ('requestVideoFrameCallback' in this.video) this.video.requestVideoFrameCallback(countFrames);
    this.watchdog = setInterval(() => this.tick(), 500);
    this.disposers.push(autorun(() => this.render()));
    this.connect();
  }

  /** decoded frames presented so far (the benchmark's frames per second per tile) */
  get framesPresented(): number {
    return this.frames;
  }

  get state(): TileModel {
    return this.model;
  }

  get protocol(): VideoProtocol | 'demo' {
    return this.protocols[this.protocolIndex] ?? 'demo';
  }

  private connect(): void {
    this.teardown();
    const gen = ++this.generation;
    this.apply({ t: 'start' });
    const protocol = this.protocols[this.protocolIndex];
    if (!protocol) {
      this.demo = playDemoPicture(this.video, this.opts.source.cameraId, this.opts.source.heading);
      return;
    }
    const factory = this.opts.engines?.[protocol] ?? ENGINES[protocol];
    const report = (ev: TileEvent) => {
      if (gen === this.generation && !this.destroyed) this.apply(ev);
    };
    factory(this.video, this.opts.source.streams[protocol]!, report).then(
      (engine) => {
        if (gen === this.generation && !this.destroyed) this.engine = engine;
        else engine.destroy();
      },
      (e: unknown) => report({ t: 'error', kind: 'media', detail: (e as Error).message }),
    );
  }

  private teardown(): void {
    this.engine?.destroy();
    this.engine = null;
    this.demo?.destroy();
    this.demo = null;
    this.video.removeAttribute('src');
    this.video.srcObject = null;
  }

  private tick(): void {
    const now = Date.now();
    this.apply({ t: 'tick', currentTime: this.video.currentTime });
    if (this.model.state === 'offline') this.render(); // the retry countdown
    if (dueForReconnect(this.model, now)) {
      // a camera that keeps failing on one protocol is tried on its next one (a gateway serves several)
      if (this.protocols.length > 1 && this.model.state === 'offline' && (this.model.failures % 2 === 0 || this.model.detail === CONNECTION_LIMIT))
        this.protocolIndex = (this.protocolIndex + 1) % this.protocols.length;
      if (this.model.state === 'unsupported' && this.protocols.length > 1) this.protocolIndex = (this.protocolIndex + 1) % this.protocols.length;
      this.connect();
    }
  }

  private apply(ev: TileEvent): void {
    const before = this.model;
    this.model = tileStep(before, ev, Date.now());
    if (this.model.state === 'unsupported' && before.state !== 'unsupported') this.teardown();
    if (this.model.state === 'offline' && before.state !== 'offline') this.teardown();
    if (this.model !== before) this.render();
    const health = tileHealth(this.model);
    // the browser's connection limit is this screen's, not the camera's: no outage reported for it
    if (health !== 'pending' && health !== this.lastHealth && this.protocol !== 'demo' && this.model.detail !== CONNECTION_LIMIT) {
      this.lastHealth = health;
      this.opts.onHealth?.(this.opts.source.cameraId, health, this.model.detail || this.model.codec);
    }
  }

  /** Retry now (the operator's button on an offline tile). */
  retry(): void {
    this.connect();
  }

  /** A still of the current picture as JPEG (null when there is none yet). */
  snapshot(): Promise<Blob | null> {
    const v = this.video;
    if (!v.videoWidth || !v.videoHeight) return Promise.resolve(null);
    const c = document.createElement('canvas');
    c.width = v.videoWidth;
    c.height = v.videoHeight;
    c.getContext('2d')!.drawImage(v, 0, 0);
    return new Promise((resolve) => c.toBlob((b) => resolve(b), 'image/jpeg', 0.85));
  }

  private render(): void {
    if (this.destroyed) return;
    const m = this.model;
    const s = this.opts.source;
    this.el.dataset.state = m.state;
    this.el.dataset.protocol = this.protocol;
    if (m.codec) this.el.dataset.codec = m.codec;
    const badge = this.opts.badge?.() ?? '';
    const latency = m.state === 'playing' && m.latencyS !== null ? ` · ${t('video.latency', { s: fmtNumber(m.latencyS, 1) })}` : '';
    const proto = this.protocol === 'demo' ? t('simulatedVideo') : this.protocol.toUpperCase();
    this.bar.textContent = `${badge ? `${badge} · ` : ''}${s.name} · ${proto}${latency}`;
    this.bar.title = s.cameraId;
    const msg =
      m.state === 'offline' && m.detail === CONNECTION_LIMIT
        ? t('video.connectionLimit', { n: HTTP_FLV_PER_ORIGIN })
        : m.state === 'offline'
          ? t('video.offline', { s: Math.max(0, Math.round(((m.reconnectAt ?? Date.now()) - Date.now()) / 1000)) })
          : m.state === 'stalled'
            ? t('video.noSignal')
            : m.state === 'unsupported'
              ? isHevc(m.codec || m.detail)
                ? t('video.hevc')
                : t('video.unsupported', { codec: m.codec || m.detail })
              : m.state === 'connecting'
                ? // between retries the operator keeps reading that the camera is away, not a bare "connecting"
                  m.failures > 0
                  ? t('video.reconnecting', { n: m.failures })
                  : t('video.connecting')
                : '';
    this.overlay.hidden = msg === '';
    this.overlay.textContent = msg;
    if (m.state === 'offline' && m.detail) this.overlay.title = m.detail;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    clearInterval(this.watchdog);
    this.disposers.forEach((d) => d());
    this.teardown();
    this.el.remove();
  }
}
