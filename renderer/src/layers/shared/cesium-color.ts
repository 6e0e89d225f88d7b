/** A palette RGBA (0–255) as a Cesium colour: one conversion for every 3D layer. */
import { Color } from '@cesium/engine';
import type { RGBA } from '../../palette.ts';

export const cesiumColor = (c: RGBA): Color => new Color(c[0] / 255, c[1] / 255, c[2] / 255, c[3] / 255);
