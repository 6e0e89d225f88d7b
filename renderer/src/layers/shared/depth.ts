/**
 * "Depth-tested" for a Cesium point: `disableDepthTestDistance` of 1 mm instead of 0. Drawn exactly as with 0 (the
 * camera is never within a millimetre of a point: its minimum zoom distance is 40 m), but it makes the collection's
 * shader the variant that can also draw points on top of buildings (`DISABLE_DEPTH_DISTANCE`) from its first frame.
 * With 0, that variant is compiled the first time an alarm's point goes on top — on a software renderer 0.6 s of
 * shader linking inside the frame that shows the first alarm after start-up (issue 24's profile), twice (opaque and
 * translucent passes). Now it is compiled at start-up instead of the plain variant, not in addition to it.
 */
export const DEPTH_TESTED = 1e-3;
