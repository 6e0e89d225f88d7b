/**
 * The shared palette: the colour type every layer, panel and store uses, the alarm-level colours and their CSS form.
 * A leaf module (imports only contract types), so any layer, store or panel can use it without an import circle.
 */
import type { AlarmLevel } from '../../data-pipelines/contracts/manhole.ts';

export type RGBA = [number, number, number, number];

export const LEVEL_COLORS: Record<AlarmLevel, RGBA> = {
  normal: [46, 196, 182, 150],
  warning: [255, 183, 3, 255],
  alarm: [239, 35, 60, 255],
};

export function cssColor([r, g, b, a]: RGBA): string {
  return `rgba(${r},${g},${b},${(a / 255).toFixed(3)})`;
}
