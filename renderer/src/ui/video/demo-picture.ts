/**
 * The demo's generated picture for a camera that has no stream URL (the embedded district's cameras): a street scene
 * with the camera id, heading and clock, drawn on a canvas and played through the <video> element like a decoded
 * stream. A camera with a URL in the registry never shows it.
 */
import { fmtTime } from '../../i18n.ts';

export interface DemoPicture {
  destroy(): void;
}

export function playDemoPicture(video: HTMLVideoElement, cameraId: string, heading: number): DemoPicture {
  const canvas = document.createElement('canvas');
  canvas.width = 480;
  canvas.height = 270;
  const g = canvas.getContext('2d')!;
  let frame = 0;
  const draw = () => {
    frame++;
    g.fillStyle = '#1b1f24';
    g.fillRect(0, 0, 480, 270);
    // road in perspective, moving lane marks, a passing "car"
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
  const timer = setInterval(draw, 200);
  let stream: MediaStream | null = null;
  try {
    stream = canvas.captureStream(5);
    video.srcObject = stream;
    void video.play().catch(() => undefined);
  } catch {
    video.replaceWith(canvas);
  }
  return {
    destroy() {
      clearInterval(timer);
      stream?.getTracks().forEach((tr) => tr.stop());
      if (video.srcObject === stream) video.srcObject = null;
    },
  };
}
