import type { CommandShape } from './recorder.js';

/** A shape as a mongosh statement: `db.getCollection("X").aggregate([...], {...})`, BSON values in mongosh's constructors. */
export function mongoshStatement(collection: string, shape: CommandShape): string {
  const coll = `db.getCollection(${JSON.stringify(collection)})`;
  if (shape.kind === 'command') return `db.runCommand(${mongoshValue(shape.command)})`;
  if (shape.kind === 'aggregate') {
    const options = shape.options && Object.keys(shape.options).length > 0 ? `, ${mongoshValue(shape.options)}` : '';
    return `${coll}.aggregate(${mongoshValue([...shape.pipeline])}${options})`;
  }
  const options = shape.options && Object.keys(shape.options).length > 0 ? `, ${mongoshValue(shape.options)}` : '';
  return `${coll}.find(${mongoshValue(shape.filter)}${options})`;
}

function mongoshValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(mongoshValue).join(', ')}]`;
  if (value instanceof Date) return `ISODate(${JSON.stringify(value.toISOString())})`;
  if (typeof value === 'object') {
    const bson = (value as { _bsontype?: string })._bsontype;
    if (bson === 'ObjectId') return `ObjectId(${JSON.stringify(String(value))})`;
    if (bson === 'Long') return `NumberLong(${JSON.stringify(String(value))})`;
    if (bson === 'Int32') return `NumberInt(${String((value as { value: number }).value)})`;
    if (bson === 'Double') return String((value as { value: number }).value);
    if (bson === 'Decimal128') return `NumberDecimal(${JSON.stringify(String(value))})`;
    const entries = Object.entries(value as Record<string, unknown>).map(
      ([k, v]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${mongoshValue(v)}`,
    );
    return `{ ${entries.join(', ')} }`;
  }
  return JSON.stringify(value);
}
