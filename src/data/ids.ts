import { ObjectId } from 'mongodb';

/**
 * Deterministic ObjectIds that look like the ones a server would have created: the
 * first 4 bytes are the document's creation time (so _id order follows time, as in the
 * application), then a byte naming the collection, a 4-byte sequence number unique
 * within the collection, and 3 bytes from the entity's random stream.
 */
export function objectIdAt(createdAtMs: number, collectionCode: number, sequence: number, random: number): ObjectId {
  const bytes = Buffer.allocUnsafe(12);
  bytes.writeUInt32BE(Math.floor(createdAtMs / 1000) >>> 0, 0);
  bytes.writeUInt8(collectionCode & 0xff, 4);
  bytes.writeUInt32BE(sequence >>> 0, 5);
  bytes.writeUIntBE(random & 0xffffff, 9, 3);
  return new ObjectId(bytes);
}
