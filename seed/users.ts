import type { Document, ObjectId } from 'mongodb';
import { collectionCodes, objectIdAt } from './ids.js';
import { Rng, streams } from './random.js';
import { dataShape, historyDaysOf, type ScaleProfile } from './profiles.js';
import { languages, pickLanguage, slug, type TextPool } from './text.js';

const day = 86_400_000;

/**
 * The `User` collection. Each user's id and creation date follow from (seed, index)
 * alone, so the other collections can reference any user without storing users.
 */
export class UserDirectory {
  readonly ids: ObjectId[];
  readonly createdAt: Float64Array;
  readonly powerUsers: ReadonlySet<number>;

  constructor(
    readonly seed: number,
    readonly profile: ScaleProfile,
  ) {
    this.powerUsers = new Set(powerUserIndexes(profile));
    this.ids = new Array<ObjectId>(profile.users);
    this.createdAt = new Float64Array(profile.users);
    for (let i = 0; i < profile.users; i++) {
      const { id, createdAt } = identity(Rng.for(seed, streams.user, i), i, this.powerUsers.has(i), historyDaysOf(profile));
      this.ids[i] = id;
      this.createdAt[i] = createdAt;
    }
  }

  get size(): number {
    return this.profile.users;
  }

  id(index: number): ObjectId {
    const id = this.ids[index];
    if (!id) throw new RangeError(`no user ${index}`);
    return id;
  }
}

/** Power users are spread evenly over the index range (so they have ordinary neighbours). */
export function powerUserIndexes(profile: ScaleProfile): number[] {
  const { count } = profile.powerUsers;
  return Array.from({ length: count }, (_, k) => Math.floor(((k + 0.5) * profile.users) / count));
}

/** The first draws of a user's stream: creation date (power users are early adopters) and id. */
function identity(rng: Rng, index: number, power: boolean, historyDays: number): { id: ObjectId; createdAt: number } {
  const start = dataShape.epoch - historyDays * day;
  const span = (historyDays - 7) * day;
  // Sign-ups grow over time: density rises linearly, so sqrt of a uniform.
  const r = rng.next();
  const createdAt = Math.floor(power ? start + r * span * 0.1 : start + Math.sqrt(r) * span);
  return { id: objectIdAt(createdAt, collectionCodes.User, index, rng.u32()), createdAt };
}

export function userDocument(index: number, directory: UserDirectory, text: TextPool): Document {
  const rng = Rng.for(directory.seed, streams.user, index);
  const { id, createdAt } = identity(rng, index, directory.powerUsers.has(index), historyDaysOf(directory.profile));
  const language = pickLanguage(rng);
  const firstName = rng.pick(text.firstNames[language]);
  const lastName = rng.pick(text.lastNames[language]);
  // Slugs hold no dots, so first.last.<index in base 36> is unique.
  const username = `${slug(firstName) || 'user'}.${slug(lastName) || 'x'}.${index.toString(36)}`;
  const lastActiveAt = createdAt + Math.floor((dataShape.epoch - createdAt) * (1 - rng.next() ** 3));
  const doc: Document = {
    _id: id,
    username,
    email: `${username}@${rng.pick(text.domains)}`,
    firstName,
    lastName,
  };
  if (rng.chance(0.7)) doc.displayName = `${firstName} ${lastName.charAt(0)}.`;
  if (rng.chance(0.6)) doc.avatar = rng.pick(text.avatars);
  if (rng.chance(0.3)) doc.bio = rng.pick(text.sentences[language]);
  doc.isOnline = rng.chance(0.06);
  doc.lastActiveAt = new Date(lastActiveAt);
  doc.isActive = rng.chance(0.97);
  doc.role = rng.chance(0.005) ? 'ADMIN' : 'USER';
  doc.systemLanguage = language;
  doc.regionalLanguage = rng.chance(0.8) ? language : rng.pick(languages);
  doc.autoTranslateEnabled = rng.chance(0.6);
  doc.city = rng.pick(text.cities);
  doc.createdAt = new Date(createdAt);
  doc.updatedAt = new Date(Math.max(createdAt, lastActiveAt - rng.int(30) * day));
  return doc;
}
