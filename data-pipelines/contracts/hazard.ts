/**
 * Hazard models (issue 22): how far an alarm's danger reaches, as one of three shapes. Each SOP file
 * (contracts/sop.ts) states its model and radii, so a center changes them by editing the file, versioned.
 *
 * - `circle`: everything within `radiusM` of the alarm's place (a gas reading in a manhole, an SOS post);
 * - `building`: the alarm's building footprint widened by `bufferM` (a fire: the building, its neighbours, the
 *   cordon); where the building is unknown, a circle of `bufferM` around the place;
 * - `street`: the streets within `alongM` metres of driving distance from the place, `widthM` wide (water along a
 *   street: what floods is the street and what fronts it, not a circle through the blocks behind).
 */
import { z } from 'zod';

export const HazardModel = z.discriminatedUnion('shape', [
  z.object({ shape: z.literal('circle'), radiusM: z.number().min(5).max(2000) }).strict(),
  z.object({ shape: z.literal('building'), bufferM: z.number().min(0).max(500) }).strict(),
  z.object({ shape: z.literal('street'), alongM: z.number().min(10).max(3000), widthM: z.number().min(2).max(200) }).strict(),
]);
export type HazardModel = z.infer<typeof HazardModel>;
