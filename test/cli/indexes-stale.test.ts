import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

/**
 * `indexes check` against the application's newest schema (meeshy at ea1789df, reduced by hand in
 * the fixture): the runbook's six name a collection and fields that schema no longer has. No database.
 */

const meeshy = new URL('../fixtures/prisma/meeshy-ea1789df.prisma', import.meta.url).pathname;

describe('indexes check --prisma-schema <meeshy at ea1789df> --set six', () => {
  it('names #1, #2 and #4 stale (collection, field, model, schema), suggests no line naming what is missing, exit 1', async () => {
    const run = await runCli(['indexes', 'check', '--prisma-schema', meeshy, '--set', 'six']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    const out = run.stdout;
    expect(out).toMatch(/idx_member_user_active_conv +│ ConversationMember .*│ STALE: no such collection/);
    expect(out).toMatch(/idx_message_conv_notdeleted_created +│ Message .*│ STALE: no field isDeleted/);
    expect(out).toMatch(/idx_cursor_user_conv +│ ConversationReadCursor .*│ STALE: no field userId/);
    expect(out).toMatch(/idx_userprefs_user_conv +│ .*│ UserConversationPreferences_userId_conversationId_key/);
    expect(out).toContain('3 index(es) stale');
    expect(out).toContain(
      `idx_member_user_active_conv on ConversationMember: no model of ${meeshy} maps to collection ConversationMember (by @@map or model name)`,
    );
    expect(out).toContain(`idx_message_conv_notdeleted_created on Message: model Message of ${meeshy} has no field isDeleted`);
    expect(out).toContain(`idx_cursor_user_conv on ConversationReadCursor: model ConversationReadCursor of ${meeshy} has no field userId`);

    // The lines to add: only the two Conversation indexes, whose fields the schema has.
    const lines = out.split('\n').filter((l) => l.trim().startsWith('@@'));
    expect(lines.map((l) => l.trim())).toEqual([
      '@@index([isActive, lastMessageAt(sort: Desc)], map: "idx_conversation_active_lastmsg")',
      '@@index([type, isActive, lastMessageAt(sort: Desc)], map: "idx_conversation_type_active_lastmsg")',
    ]);
    expect(out).not.toMatch(/model (ConversationMember|Message|ConversationReadCursor) \{/);
    for (const missing of ['isDeleted', 'userId']) for (const line of lines) expect(line).not.toContain(missing);
  });

  it('--json: each finding carries what the schema lacks', async () => {
    const run = await runCli(['indexes', 'check', '--prisma-schema', meeshy, '--set', 'six', '--json']);
    expect(run.code).toBe(1);
    const outcome = JSON.parse(run.stdout) as {
      ok: boolean;
      findings: {
        spec: { name: string };
        stale: { model: string | null; fields: string[]; schema: string } | null;
        declaration: unknown;
      }[];
    };
    expect(outcome.ok).toBe(false);
    expect(outcome.findings.map((f) => [f.spec.name, f.stale && { model: f.stale.model, fields: f.stale.fields }])).toEqual([
      ['idx_member_user_active_conv', { model: null, fields: [] }],
      ['idx_message_conv_notdeleted_created', { model: 'Message', fields: ['isDeleted'] }],
      ['idx_conversation_active_lastmsg', null],
      ['idx_cursor_user_conv', { model: 'ConversationReadCursor', fields: ['userId'] }],
      ['idx_userprefs_user_conv', null],
      ['idx_conversation_type_active_lastmsg', null],
    ]);
    for (const f of outcome.findings) if (f.stale) expect([f.stale.schema, f.declaration]).toEqual([meeshy, null]);
  });

  it('against the default application’s schema, none of the six is stale', async () => {
    const run = await runCli(['indexes', 'check', '--prisma-schema', 'seed/schema.prisma', '--set', 'six', '--set', 'remedies']);
    expect(run.code).toBe(1);
    expect(run.stdout).not.toMatch(/STALE|stale/);
    expect(run.stdout).toContain('6 index(es) not declared');
  });
});
