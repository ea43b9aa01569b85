import { readdir, readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DataModel } from '../../src/prisma/datamodel.js';
import { loadDataModel } from '../../src/run/route-setup.js';
import { checkSchemaProfile } from '../../src/schema-data/check.js';
import { unseedableReason } from '../../src/schema-data/gen-check.js';
import { schemaDataset } from '../../src/schema-data/generate.js';

/**
 * meeshy@ea1789df's profiles (apps/meeshy@ea1789df/profiles/, written by
 * apps/meeshy@ea1789df/derive/derive-profiles.ts) are schema profiles of that commit's schema,
 * seedable at factor 1 (and medium at 8, for large), hold no ObjectId, and keep the four
 * conversation types with the fan-outs from Conversation conditioned on them.
 */

const app = new URL('../../apps/meeshy@ea1789df/', import.meta.url).pathname;
let model: DataModel;
let files: string[];

beforeAll(async () => {
  model = await loadDataModel(`${app}schema.prisma`);
  files = (await readdir(`${app}profiles`)).filter((f) => f.endsWith('.json')).sort();
});

describe('meeshy@ea1789df profiles', () => {
  it('exist for the derived scales', () => {
    expect(files).toEqual(expect.arrayContaining(['medium.json', 'tiny.json']));
  });

  it('check against the schema, seed at factor 1 (medium also at 8), and hold no ObjectId', async () => {
    for (const file of files) {
      const text = await readFile(`${app}profiles/${file}`, 'utf8');
      expect(text, file).not.toMatch(/"[0-9a-f]{24}"/i);
      const checked = checkSchemaProfile(JSON.parse(text), model);
      if (!checked.ok) throw new Error(`${file}: ${checked.reason}`);
      expect(unseedableReason(model, checked.profile, 1), file).toBeUndefined();
      if (file === 'medium.json') expect(unseedableReason(model, checked.profile, 8), file).toBeUndefined();
    }
  });

  it('keep the conversation types, and condition the fan-outs from Conversation on them', async () => {
    for (const file of files) {
      const checked = checkSchemaProfile(JSON.parse(await readFile(`${app}profiles/${file}`, 'utf8')), model);
      if (!checked.ok) throw new Error(`${file}: ${checked.reason}`);
      const types = checked.profile.models.Conversation?.fields.type?.values?.map((v) => v.value).sort();
      expect(types, file).toEqual(['direct', 'global', 'group', 'public']);
      const fromConversation = checked.profile.relations.filter((r) => r.parent.model === 'Conversation');
      expect(fromConversation.length, file).toBeGreaterThan(0);
      for (const r of fromConversation) expect(r.byParentField?.field, `${file} ${r.name}`).toBe('type');
      expect(checked.profile.models.Participant?.fields.type?.values?.map((v) => v.value).sort(), file).toEqual(['anonymous', 'user']);
    }
  });
});

describe('meeshy@ea1789df seeded from its tiny profile', () => {
  it("keeps Participant's @@unique([conversationId, userId, sessionTokenHash]): an anonymous participant (no user) gets a token of its own", async () => {
    const checked = checkSchemaProfile(JSON.parse(await readFile(`${app}profiles/tiny.json`, 'utf8')), model);
    if (!checked.ok) throw new Error(checked.reason);
    const { dataset, scale } = schemaDataset(model, checked.profile, 1);
    const seen = new Set<string>();
    let anonymous = 0;
    for (const [collection, doc] of dataset.generate(dataset.plan(scale, 20260126))) {
      if (collection !== 'Participant') continue;
      const tuple = `${String(doc.conversationId)}|${String(doc.userId ?? null)}|${String(doc.sessionTokenHash ?? null)}`;
      expect(seen.has(tuple), tuple).toBe(false);
      seen.add(tuple);
      if (doc.userId == null) {
        anonymous += 1;
        expect(typeof doc.sessionTokenHash).toBe('string');
      }
    }
    expect(anonymous).toBeGreaterThan(0);
  });
});
