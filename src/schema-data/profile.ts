import { z } from 'zod';
import { profileProbabilities, type Quantiles } from '../data/quantiles.js';

/**
 * A schema profile: the shape of a database that a Prisma schema describes, for any
 * application, in counts, shares and quantiles only (no document, id, name or free text).
 * `indexgate profile --prisma-schema <file>` reads it (src/schema-data/read.ts); `seed` and
 * `bench --prisma-schema <file> --profile <file>` seed a dataset shaped like it
 * (src/schema-data/generate.ts). The built-in application's own profile format
 * (`indexgate-profile`, seed/data-profile.ts) stays readable beside it: the `format` field
 * tells them apart.
 *
 * Names are the schema's (model and field names as Prisma declares them), never the
 * database's: `@map`/`@@map` are applied by the reader and the generator through the schema.
 */
export const schemaProfileFormat = 'indexgate-schema-profile';
export const schemaProfileVersion = 1;

/**
 * The rule for keeping a string's values: at most this many distinct values, each held by at
 * least `minDocumentsPerValue` documents; otherwise only its length quantiles and distinct count.
 */
export const lowCardinality = { maxValues: 16, minDocumentsPerValue: 20 } as const;

const count = z.number().int().nonnegative();
const share = z.number().min(0).max(1);
/** A distribution: how many values, their sum, and one value per `profileProbabilities` (type-7 quantiles), non-decreasing. */
const quantiles = z
  .object({
    n: count,
    sum: z.number(),
    q: z.array(z.number()).length(profileProbabilities.length).readonly(),
  })
  .refine((d) => d.q.every((v, i) => i === 0 || v >= (d.q[i - 1] ?? 0)), { message: 'quantiles must not decrease' });

/**
 * One field of a model (or of a composite type inside it: `address.city`). Shares are of the
 * model's documents (for a field inside a composite: of the documents where the composite is
 * present and not null). `values`, `numbers`, `dates` and `lengths` describe the present,
 * non-null values (for a list: its elements; `lengths` is then the list's length).
 */
const fieldProfile = z.object({
  /** Prisma's type as the schema declares it (String, Int, …, an enum's or a composite type's name). */
  type: z.string(),
  list: z.boolean(),
  /** Share of documents where the field is not set at all (`isSet: false`). */
  absent: share,
  /** Share of documents where the field is set to null. */
  null: share,
  /**
   * The values of a low-cardinality field (enum, Boolean, and a String or number with at most
   * 16 distinct values each held by at least 20 documents), with their share of the present,
   * non-null values. Values are strings for String and enums, numbers, booleans.
   */
  values: z
    .array(z.object({ value: z.union([z.string(), z.number(), z.boolean()]), share }))
    .max(lowCardinality.maxValues)
    .optional(),
  /** How many distinct values (present, non-null), capped at the reader's limit (`distinctCapped`). */
  distinct: count.optional(),
  distinctCapped: z.boolean().optional(),
  /** Int, BigInt, Float, Decimal: the values' quantiles. */
  numbers: quantiles.optional(),
  /** DateTime: the values' quantiles, in milliseconds since 1970. */
  dates: quantiles.optional(),
  /** String and Bytes: their lengths' quantiles (characters, bytes); a list: its lengths'. */
  lengths: quantiles.optional(),
});

const modelProfile = z.object({
  /** The model's collection (`@@map`), as read: checked against the schema. */
  collection: z.string(),
  count,
  /** The documents' average BSON size (collStats' avgObjSize), bytes: what a seeded copy should weigh. */
  averageBytes: z.number().nonnegative(),
  /** By field path (`name`, `address.city`): every scalar, enum and composite field the schema gives the model, relation fields aside. */
  fields: z.record(z.string(), fieldProfile),
});

/**
 * A relation, as the data holds it. For one-to-many and one-to-one: the `child` model holds
 * the foreign key (`fields`), `perParent` is how many children each parent has (parents with
 * none included: n = the parent's count). `byParentField` conditions that on a low-cardinality
 * field of the parent (members per conversation by type). For many-to-many kept as id arrays on
 * both sides: `child.fields` and `parent.fields` are the two arrays, `perParent` the parent
 * side's lengths, `perChild` the child side's.
 */
const relationProfile = z.object({
  /** The relation's name (Prisma's `relationName`). */
  name: z.string(),
  kind: z.enum(['one-to-one', 'one-to-many', 'many-to-many']),
  child: z.object({ model: z.string(), fields: z.array(z.string()).min(1) }),
  parent: z.object({ model: z.string(), fields: z.array(z.string()).optional() }),
  perParent: quantiles,
  /** Many-to-many: the child side's array lengths. */
  perChild: quantiles.optional(),
  /** Share of the child's documents whose key is set but names no parent (dangling). */
  danglingShare: share.optional(),
  byParentField: z
    .object({
      field: z.string(),
      /** By the field's value (as a string: `String(value)`), the parents with it and their children's count distribution. */
      values: z.record(z.string(), z.object({ parents: count, perParent: quantiles })),
    })
    .optional(),
});

export const schemaProfileSchema = z.object({
  format: z.literal(schemaProfileFormat),
  version: z.literal(schemaProfileVersion),
  source: z.object({
    database: z.string(),
    serverVersion: z.string(),
    profiledAt: z.string(),
    /** The schema file's base name, for the reader (the check is against the schema's models and fields). */
    schema: z.string(),
  }),
  /** By model name (Prisma's): every model the profile sizes. A model left out is not seeded. */
  models: z.record(z.string(), modelProfile),
  relations: z.array(relationProfile),
});

export type SchemaProfile = z.infer<typeof schemaProfileSchema>;
export type ModelProfile = SchemaProfile['models'][string];
export type FieldProfile = ModelProfile['fields'][string];
export type RelationProfile = SchemaProfile['relations'][number];
export type { Quantiles };
