/**
 * Camera video panel. Offline demo: the picture is generated on a canvas (moving street scene, camera id, heading,
 * time) and played through a <video> element via captureStream, like a real decoded stream would be. A real
 * deployment plugs the district's video gateway (GB/T 28181 -> WebRTC/HLS on the intranet) into the same panel.
 */
import { autorun, type IReactionDisposer } from 'mobx';
import { fmtTime, t } from '../i18n.ts';
import { h } from './dom.ts';

export class VideoPanel {
  readonly el: HTMLElement;
  private timer: ReturnType<typeof setInterval> | null = null;
  private stream: MediaStream | null = null;
  private readonly relabel: IReactionDisposer;

  constructor(
    cameraId: string,
    heading: number,
    onClose: () => void,
    /** read in a reaction: the heading follows a language switch while the panel is open */
    title: () => string = () => t('video'),
  ) {
    const canvas = h('canvas', { width: 480, height: 270 });
    const video = h('video', { muted: true, autoplay: true, playsinline: true, 'data-testid': 'video' });
    video.muted = true;
    const close = h('button', { class: 'close', 'data-testid': 'video-close' }, '×');
    close.onclick = onClose;
    const heading2 = h('span', {});
    const note = h('p', { class: 'legend-note' });
    this.el = h('section', { class: 'video-panel', 'data-testid': 'video-panel', 'data-camera': cameraId }, h('h2', {}, heading2, close), video, note);
    this.relabel = autorun(() => {
      heading2.textContent = `${title()} · ${cameraId}`;
      note.textContent = t('simulatedVideo');
      close.title = t('close');
      close.setAttribute('aria-label', t('close'));
    });
    const g = canvas.getContext('2d')!;
    let frame = 0;
    const draw = () => {
      frame++;
      g.fillStyle = '#1b1f24';
      g.fillRect(0, 0, 480, 270);
      // road in perspective, moving lane marks, passing "cars"
      g.fillStyle = '#3a3f45';
      g.beginPath();
      g.moveTo(150, 270);
      g.lineTo(230, 110);
      g.lineTo(250, 110);
      g.lineTo(330, 270);
      g.fill();
      g.fillStyle = '#e9c46a';
      for (let i = 0; i < 6; i++) {
        const y = 110 + ((i * 30 + frame * 4) % 160);
        g.fillRect(238, y, 4, 6 + (y - 110) / 12);
      }
      const cx = 200 + ((frame * 3) % 200);
      g.fillStyle = '#9ad1d4';
      g.fillRect(cx, 190, 40, 22);
      g.fillStyle = '#ffffff';
      g.font = '14px monospace';
      g.fillText(`${cameraId}  ${heading.toFixed(0)}°`, 10, 20);
      g.fillText(fmtTime(Date.now()), 380, 20);
      g.fillStyle = '#ef233c';
      g.beginPath();
      g.arc(468, 260, 5, 0, Math.PI * 2);
      if (frame % 10 < 5) g.fill();
    };
    draw();
    this.timer = setInterval(draw, 200);
    try {
      this.stream = canvas.captureStream(5);
      video.srcObject = this.stream;
      void video.play().catch(() => undefined);
    } catch {
      video.replaceWith(canvas);
    }
  }

  destroy(): void {
    this.relabel();
    if (this.timer) clearInterval(this.timer);
    this.stream?.getTracks().forEach((tr) => tr.stop());
    this.el.remove();
  }
}
