/** Scale profiles: how much data each `--scale` seeds (filled in by the seeder's issue). */
export const scaleNames = ['tiny', 'small', 'medium', 'large'] as const;
export type ScaleName = (typeof scaleNames)[number];
