/**
 * Alarm categories, in their own module so that contracts the alarm refers to (sop.ts) can name them without an
 * import circle. alarm.ts re-exports them.
 */

/** `feed`: a connected source (contracts/sources.ts) that went quiet or lost its connection (sourceId = the source id) */
export const ALARM_CATEGORIES = ['manhole', 'fire', 'camera', 'care', 'env', 'parking', 'feed'] as const;
export type AlarmCategory = (typeof ALARM_CATEGORIES)[number];
