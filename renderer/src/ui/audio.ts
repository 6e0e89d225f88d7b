/**
 * Generated tones (no audio files, nothing fetched): a rising two-tone for alarms and a single low tone for feed
 * trouble, so an operator can tell them apart without looking.
 */
let ctx: AudioContext | null = null;

function context(): AudioContext | null {
  try {
    ctx ??= new AudioContext();
    if (ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
    return ctx;
  } catch {
    return null;
  }
}

function beep(freq: number, startS: number, durS: number, gain = 0.08): void {
  const c = context();
  if (!c) return;
  const o = c.createOscillator();
  const g = c.createGain();
  o.type = 'square';
  o.frequency.value = freq;
  g.gain.value = gain;
  o.connect(g).connect(c.destination);
  o.start(c.currentTime + startS);
  o.stop(c.currentTime + startS + durS);
}

/**
 * Tones play in a task of their own: the first opens the audio device (a third of a second on this machine, issue
 * 24's profile), which must not hold up the alarm list drawn in the same batch of events.
 */
const later = (play: () => void): void => void setTimeout(play, 0);

export function alarmTone(priority: 1 | 2 | 3): void {
  later(() => {
    const reps = priority === 1 ? 3 : 1;
    for (let i = 0; i < reps; i++) {
      beep(880, i * 0.5, 0.18);
      beep(1175, i * 0.5 + 0.2, 0.18);
    }
  });
}

export function troubleTone(): void {
  later(() => beep(330, 0, 0.6, 0.05));
}

/**
 * Opens the audio device once the page is idle after start-up (the map drawn): opening it takes a third of a second on
 * this machine (issue 24's profile), which the first alarm after start-up would otherwise wait behind. Suspended until
 * a user gesture where the browser requires one (unlockAudioOnGesture resumes it); a tone before that is silent, as it
 * was.
 */
export function prepareAudioWhenIdle(after: Promise<void>): void {
  void after.then(() => requestIdleCallback(() => void context(), { timeout: 10_000 }));
}

/** Browsers start audio only after a user gesture: unlock on the first click/key. */
export function unlockAudioOnGesture(): void {
  const unlock = () => {
    context();
    window.removeEventListener('pointerdown', unlock);
    window.removeEventListener('keydown', unlock);
  };
  window.addEventListener('pointerdown', unlock);
  window.addEventListener('keydown', unlock);
}
