/** Detector state colours: the fire layer's markers and the evacuation layer's detectors on peeled floors. */
import type { RGBA } from '../../palette.ts';

export const FIRE_COLORS: Record<'smoke' | 'fire' | 'fault', RGBA> = { smoke: [255, 140, 0, 255], fire: [255, 30, 30, 255], fault: [150, 150, 160, 255] };
