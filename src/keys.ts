import { type UserClass, userClasses } from './users/user-classes.js';

/**
 * The key of one (pattern, user class) measurement, in maps and in the history file: one
 * module builds and reads it, so its format lives in one place.
 */
export type MeasurementKey = `${string}|${UserClass}`;

export const measurementKey = (patternId: string, userClass: UserClass): MeasurementKey => `${patternId}|${userClass}`;

/** The pattern and class of a key; undefined for a string that is not one. */
export function parseMeasurementKey(key: string): { pattern: string; userClass: UserClass } | undefined {
  const at = key.lastIndexOf('|');
  const userClass = key.slice(at + 1);
  if (at <= 0 || !(userClasses as readonly string[]).includes(userClass)) return undefined;
  return { pattern: key.slice(0, at), userClass: userClass as UserClass };
}
