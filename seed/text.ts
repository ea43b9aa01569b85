import { createRequire } from 'node:module';
import type { Faker } from '@faker-js/faker';
import { hash32, type Rng, streams } from './random.js';

/**
 * Words, names and sentences made with faker once per run (seeded by the dataset seed),
 * then picked by each entity's own random stream: realistic text and sizes at the
 * speed of an array lookup, and identical for the same seed.
 */
export const languages = ['fr', 'en', 'es', 'pt', 'de'] as const;
export type Language = (typeof languages)[number];

/** How often each language is a user's system language / a message's original language (the app is French-first). */
export const languageWeights: Readonly<Record<Language, number>> = { fr: 0.45, en: 0.32, es: 0.1, pt: 0.08, de: 0.05 };

const require = createRequire(import.meta.url);
let loaded: Readonly<Record<Language, Faker>> | undefined;

/**
 * faker, one entry point per locale (the package root would load every locale, 25 MB more),
 * loaded when the first pool is built: every start of the CLI reads this workload, few seed
 * (some 0.2 s of CPU a start). Synchronous (`require` of an ES module, Node 20.19+): the
 * dataset's plan is.
 */
function fakers(): Readonly<Record<Language, Faker>> {
  const locale = (name: string): Faker => (require(`@faker-js/faker/locale/${name}`) as { faker: Faker }).faker;
  loaded ??= { fr: locale('fr'), en: locale('en'), es: locale('es'), pt: locale('pt_BR'), de: locale('de') };
  return loaded;
}

export interface TextPool {
  readonly sentences: Readonly<Record<Language, readonly string[]>>;
  readonly firstNames: Readonly<Record<Language, readonly string[]>>;
  readonly lastNames: Readonly<Record<Language, readonly string[]>>;
  readonly domains: readonly string[];
  readonly avatars: readonly string[];
  readonly titleWords: readonly string[];
  readonly cities: readonly string[];
}

const sizes = { sentences: 1500, names: 400, domains: 40, avatars: 200, titleWords: 600, cities: 200 } as const;

export function buildTextPool(seed: number): TextPool {
  const perLanguage = <T>(make: (faker: Faker) => T): Record<Language, T> => {
    const out = {} as Record<Language, T>;
    for (const language of languages) {
      const faker = fakers()[language];
      faker.seed(hash32(seed, streams.textPool, languages.indexOf(language)));
      out[language] = make(faker);
    }
    return out;
  };
  const times = <T>(n: number, make: () => T): T[] => Array.from({ length: n }, make);
  const shared = fakers().fr;
  const pool = {
    sentences: perLanguage((f) =>
      times(sizes.sentences, () => {
        const words = f.word.words({ count: { min: 2, max: 16 } });
        return `${words.charAt(0).toUpperCase()}${words.slice(1)}${f.helpers.arrayElement(['.', '.', '.', '!', '?', ' :)', '…'])}`;
      }),
    ),
    firstNames: perLanguage((f) => times(sizes.names, () => f.person.firstName())),
    lastNames: perLanguage((f) => times(sizes.names, () => f.person.lastName())),
  };
  shared.seed(hash32(seed, streams.textPool, 99));
  return {
    ...pool,
    domains: times(sizes.domains, () => shared.internet.domainName()),
    avatars: times(sizes.avatars, () => shared.image.avatar()),
    titleWords: times(sizes.titleWords, () => shared.word.noun()),
    cities: times(sizes.cities, () => shared.location.city()),
  };
}

/** A message body: usually one or two sentences, sometimes a long paragraph. */
export function messageText(pool: TextPool, rng: Rng, language: Language): string {
  const sentences = pool.sentences[language];
  const count = rng.chance(0.05) ? rng.range(4, 10) : rng.range(1, 2);
  let text = rng.pick(sentences);
  for (let i = 1; i < count; i++) text += ` ${rng.pick(sentences)}`;
  return text;
}

export function pickLanguage(rng: Rng): Language {
  return rng.weighted(languageWeights);
}

export function slug(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '')
    .slice(0, 20);
}
