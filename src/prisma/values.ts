import { BSON, type Document, ObjectId } from 'mongodb';
import type { CompositeField, DataModel, ScalarField } from './datamodel.js';
import { PrismaCallError } from './call-error.js';

/**
 * Values between the client and the database, as Prisma 6.19's MongoDB connector converts
 * them (prisma-engines @2ba551f3, mongodb-query-connector value.rs `IntoBson` and
 * `value_from_bson`): a `@db.ObjectId` string is an ObjectId, an `Int` an int64 (an int32
 * with `@db.Int`), a `Float` a double, a `DateTime` a BSON date; on the way back an
 * ObjectId is its 24-digit hex string, a missing or null required field with a static
 * default is that default (output_meta.rs `from_scalar_field`), a missing list is `[]`.
 */

/** A client value for a field, as Prisma sends it to the database. */
export function encodeValue(field: ScalarField, value: unknown, where: string): unknown {
  if (value === null) return null;
  if (field.isList && Array.isArray(value)) return value.map((v) => encodeOne(field, v, where));
  return encodeOne(field, value, where);
}

function encodeOne(field: ScalarField, value: unknown, where: string): unknown {
  if (value === null) return null;
  if (field.objectId) {
    if (value instanceof ObjectId) return value;
    if (typeof value === 'string' && ObjectId.isValid(value) && /^[0-9a-fA-F]{24}$/.test(value)) return new ObjectId(value);
    throw new PrismaCallError(
      where,
      `${field.name} is an ObjectId field: ${JSON.stringify(value)} is not a 24-digit hex string (Prisma: "Malformed ObjectID")`,
    );
  }
  switch (field.type) {
    case 'Int':
      return integer(value, field, where, field.int32 ? 'int32' : 'int64');
    case 'BigInt':
      return integer(value, field, where, 'int64');
    case 'Float':
    case 'Decimal':
      if (typeof value !== 'number')
        throw new PrismaCallError(where, `${field.name} is a ${field.type}: ${JSON.stringify(value)} is not a number`);
      return new BSON.Double(value);
    case 'Boolean':
      if (typeof value !== 'boolean') throw new PrismaCallError(where, `${field.name} is a Boolean: ${JSON.stringify(value)} is not one`);
      return value;
    case 'DateTime': {
      const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
      if (!date || Number.isNaN(date.getTime()))
        throw new PrismaCallError(where, `${field.name} is a DateTime: ${JSON.stringify(value)} is not a date`);
      return date;
    }
    case 'String':
      if (typeof value !== 'string') throw new PrismaCallError(where, `${field.name} is a String: ${JSON.stringify(value)} is not one`);
      return value;
    case 'Json':
      return value;
    default:
      // An enum: its value as a string.
      if (field.isEnum && typeof value === 'string') return value;
      throw new PrismaCallError(where, `${field.name} (${field.type}): values of this type are not supported by indexgate's renderer`);
  }
}

function integer(value: unknown, field: ScalarField, where: string, width: 'int32' | 'int64'): unknown {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n))
    throw new PrismaCallError(where, `${field.name} is an ${field.type}: ${JSON.stringify(String(value))} is not an integer`);
  const whole = Math.trunc(n);
  return width === 'int32' ? new BSON.Int32(whole) : BSON.Long.fromNumber(whole);
}

/** A database value as the client receives it, for a field. */
export function decodeValue(field: ScalarField, value: unknown): unknown {
  if (value === undefined || value === null) {
    if (field.isList) return [];
    if (
      field.isRequired &&
      field.default !== undefined &&
      (typeof field.default !== 'object' || field.default === null || Array.isArray(field.default))
    )
      return field.default;
    return null;
  }
  if (Array.isArray(value)) return value.map((v) => decodeOne(v));
  return decodeOne(value);
}

function decodeOne(value: unknown): unknown {
  if (value instanceof ObjectId) return value.toHexString();
  if (value instanceof BSON.Long) return value.toNumber();
  if (value instanceof BSON.Int32 || value instanceof BSON.Double) return value.valueOf();
  if (value instanceof BSON.Decimal128) return Number(value.toString());
  if (value instanceof Date) return value;
  if (typeof value === 'object' && value !== null && !(value instanceof BSON.Binary)) {
    const out: Document = {};
    for (const [k, v] of Object.entries(value)) out[k] = decodeOne(v);
    return out;
  }
  return value;
}

/**
 * A composite value as Prisma sends it (value.rs `IntoBson` for a composite field: a document of
 * the type's fields under their database names, each value converted as its field's; a list of
 * them; null). Keys keep the client's order; a key the type does not have is refused.
 */
export function encodeComposite(dm: DataModel, field: CompositeField, value: unknown, where: string): unknown {
  if (value === null) return null;
  if (field.isList) {
    if (!Array.isArray(value)) throw new PrismaCallError(where, `${field.name} is a list of ${field.type}: it takes a list`);
    return value.map((v) => encodeComposite(dm, { ...field, isList: false }, v, where));
  }
  if (typeof value !== 'object' || Array.isArray(value) || value instanceof Date)
    throw new PrismaCallError(where, `${field.name} is a ${field.type}: ${JSON.stringify(value)} is not an object`);
  const type = dm.composite(field.type);
  // The client's `<Type>ObjectEqualityInput` requires the type's required fields: Prisma's validation refuses a value without them.
  const given = value as Record<string, unknown>;
  const missing = type.fields.filter(
    (f) => f.isRequired && !f.isList && !(f.kind === 'scalar' && f.default !== undefined) && given[f.name] === undefined,
  );
  if (missing.length > 0)
    throw new PrismaCallError(
      where,
      `${field.name}: a ${field.type} value needs ${missing.map((f) => f.name).join(', ')} (a filter on some of its fields is written { is: { … } })`,
    );
  const out: Document = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined) continue;
    const f = type.field(key);
    if (!f) throw new PrismaCallError(where, `${field.type} has no field ${key}`);
    out[f.dbName] = f.kind === 'composite' ? encodeComposite(dm, f, v, where) : encodeValue(f, v, where);
  }
  return out;
}
