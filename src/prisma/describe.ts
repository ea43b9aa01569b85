import type { Document } from 'mongodb';

/** A value in a call's description: short, ids and long lists abbreviated. */
export function brief(value: unknown, depth = 0): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return value.length > 3 ? `[${value.length} values]` : `[${value.map((v) => brief(v, depth + 1)).join(', ')}]`;
  if (value instanceof Date) return 'Date';
  if (typeof value === 'object') {
    const name = (value as { _bsontype?: string })._bsontype;
    if (name) return name;
    if (depth > 3) return '{…}';
    return `{ ${Object.entries(value as Document)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}: ${brief(v, depth + 1)}`)
      .join(', ')} }`;
  }
  return typeof value === 'string' ? (value.length > 24 ? `"${value.slice(0, 8)}…"` : JSON.stringify(value)) : String(value);
}
