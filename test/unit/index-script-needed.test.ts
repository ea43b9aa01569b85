import { describe, expect, it } from 'vitest';
import { runbookIndexes } from '../../indexes/runbook.js';
import { UsageError } from '../../src/errors.js';
import type { IndexPrice, IndexSetPrice } from '../../src/indexing/price.js';
import { renderMongoshScript, selectNeeded } from '../../src/indexing/script.js';

/** `indexes script --only-needed`: the set less what a result judged redundant or unused, each named in a comment. */

const verdicts: Record<string, Partial<IndexPrice>> = {
  idx_member_user_active_conv: { verdict: 'unused', usedBy: [] },
  idx_message_conv_notdeleted_created: {
    verdict: 'redundant',
    redundantWith: {
      name: 'Message_conversationId_isDeleted_createdAt_idx',
      reason: 'same fields, other directions: the queries chose it',
    },
  },
  idx_conversation_active_lastmsg: { verdict: 'needed', neededBy: ['route prisma conversationsQuery'] },
  idx_cursor_user_conv: {
    verdict: 'redundant',
    redundantWith: { name: 'ConversationReadCursor_userId_idx', reason: 'the queries chose it when hidden' },
  },
  idx_userprefs_user_conv: {
    verdict: 'redundant',
    redundantWith: { name: 'UserConversationPreferences_userId_conversationId_key', reason: 'same key' },
  },
  idx_conversation_type_active_lastmsg: { verdict: 'used' },
};

const price = (check: IndexSetPrice['neededCheck']): IndexSetPrice => ({
  cacheBytes: null,
  cacheOf: { kind: 'target' },
  indexesFitCache: null,
  collections: [],
  setBytes: 0,
  indexes: runbookIndexes.map((s) => ({
    name: s.name,
    collection: s.collection,
    serverName: s.name,
    sizeBytes: 1,
    usedBy: ['pattern x'],
    verdict: 'used',
    ...verdicts[s.name],
  })),
  ...(check ? { neededCheck: check } : {}),
});
const indexes = runbookIndexes.map(({ name, collection, key }) => ({ name, collection, key }));
const checked = { checked: true as const, explains: 9, ms: 1200, rule: { factor: 2, floor: 100 }, limitMs: 10_000 };

describe('selectNeeded', () => {
  it('keeps needed, used and not built; leaves out redundant and unused, saying why and which result judged it', () => {
    const selection = selectNeeded(runbookIndexes, { indexes, price: price(checked) }, 'reports/r1/result.json');
    expect(selection.specs.map((s) => s.name)).toEqual(['idx_conversation_active_lastmsg', 'idx_conversation_type_active_lastmsg']);
    expect(selection.leftOut).toEqual([
      {
        name: 'idx_member_user_active_conv',
        collection: 'ConversationMember',
        why: 'unused (no route command or pattern measured used it)',
      },
      {
        name: 'idx_message_conv_notdeleted_created',
        collection: 'Message',
        why: 'redundant with Message_conversationId_isDeleted_createdAt_idx (same fields, other directions: the queries chose it)',
      },
      {
        name: 'idx_cursor_user_conv',
        collection: 'ConversationReadCursor',
        why: 'redundant with ConversationReadCursor_userId_idx (the queries chose it when hidden)',
      },
      {
        name: 'idx_userprefs_user_conv',
        collection: 'UserConversationPreferences',
        why: 'redundant with UserConversationPreferences_userId_conversationId_key (same key)',
      },
    ]);
    expect(selection.unchecked).toBeUndefined();

    const script = renderMongoshScript(selection.specs, undefined, selection);
    expect(script).toContain('the 2 performance indexes');
    expect(script).toContain('// --only-needed: 4 index(es) left out, as judged by reports/r1/result.json:\n');
    expect(script).toContain(
      '//   left out idx_userprefs_user_conv on UserConversationPreferences: redundant with UserConversationPreferences_userId_conversationId_key (same key)\n',
    );
    expect(script).toContain('//   left out idx_member_user_active_conv on ConversationMember: unused');
    // The specs the script creates are only the kept ones.
    const data = JSON.parse(/const specs = (\[[\s\S]*?\n\]);/.exec(script)?.[1] ?? '[]') as { name: string }[];
    expect(data.map((d) => d.name)).toEqual(['idx_conversation_active_lastmsg', 'idx_conversation_type_active_lastmsg']);
    // Without --only-needed, nothing of it.
    expect(renderMongoshScript(runbookIndexes)).not.toContain('--only-needed');
  });

  it('a result that did not hide indexes (verify: read-only) says the used ones are kept unchecked', () => {
    const selection = selectNeeded(
      runbookIndexes,
      { indexes, price: price({ checked: false, reason: 'read-only: verify never hides an index (collMod)' }) },
      'staging/result.json',
    );
    expect(selection.unchecked).toBe(
      'the result did not check which indexes are needed (read-only: verify never hides an index (collMod)): those it found used are kept',
    );
    expect(renderMongoshScript(selection.specs, undefined, selection)).toContain(`//   ${selection.unchecked}\n`);
  });

  it('refuses a result without a price, or of another set, as a usage error', () => {
    expect(() => selectNeeded(runbookIndexes, { indexes }, 'old.json')).toThrow(UsageError);
    expect(() => selectNeeded(runbookIndexes, { indexes }, 'old.json')).toThrow(/--result old\.json: has no price section/);
    const other = indexes.map((ix) =>
      ix.name === 'idx_cursor_user_conv' ? { ...ix, key: { conversationId: 1, userId: 1 } as const } : ix,
    );
    expect(() => selectNeeded(runbookIndexes, { indexes: other, price: price(checked) }, 'r.json')).toThrow(
      /--result r\.json: judged another index set \(idx_cursor_user_conv \{userId: 1, conversationId: 1\} on ConversationReadCursor is not in it\)/,
    );
    const more = [...indexes, { name: 'idx_extra', collection: 'Message', key: { senderId: 1 } as const }];
    expect(() => selectNeeded(runbookIndexes, { indexes: more, price: price(checked) }, 'r.json')).toThrow(
      /it judged idx_extra, not in this set/,
    );
  });
});
