import { describe, expect, it } from 'vitest';
import { CommanderError } from 'commander';
import { createProgram, type Invocation, programName } from '../../src/cli.js';
import { workload } from '../support/workload.js';

/** Parses argv with a dispatch that only records what it was given. */
async function parse(argv: string[]): Promise<{ invocation?: Invocation; error?: CommanderError; err: string }> {
  let invocation: Invocation | undefined;
  let err = '';
  const { program } = createProgram(
    workload,
    async (_spec, i) => {
      invocation = i;
      return { exitCode: 0 };
    },
    { out: () => {}, err: (s) => (err += s) },
  );
  try {
    await program.parseAsync(argv, { from: 'user' });
    return { invocation, err };
  } catch (error) {
    if (error instanceof CommanderError) return { error, err };
    throw error;
  }
}

describe('argument parsing', () => {
  it.each([
    [['bench'], 'bench', { scale: 'medium', seed: 20260126, baseline: 'bare', timeoutMs: 5000 }],
    [['bench', '--scale', 'tiny', '--seed', '7', '--baseline', 'prisma'], 'bench', { scale: 'tiny', seed: 7, baseline: 'prisma' }],
    [
      ['bench', '--pattern', 'memberships', '--pattern', 'lastMessage,readCursors'],
      'bench',
      { pattern: ['memberships', 'lastMessage', 'readCursors'] },
    ],
    [['bench', '--budget-seconds', '90', '--json'], 'bench', { budgetSeconds: 90, json: true }],
    [['seed'], 'seed', { scale: 'small', seed: 20260126 }],
    [['seed', '--uri', 'mongodb://localhost/x', '--drop'], 'seed', { uri: 'mongodb://localhost/x', drop: true }],
    [['indexes', 'list', '--json'], 'indexes list', { json: true }],
    [['indexes', 'list', '--set', 'six', '--set', 'remedies', '--json'], 'indexes list', { json: true, set: ['six', 'remedies'] }],
    [['indexes', 'apply', '--only', 'idx_cursor_user_conv'], 'indexes apply', { only: ['idx_cursor_user_conv'] }],
    [['verify', '--uri', 'mongodb://h/db', '--expect-counts', 'c.json'], 'verify', { expectCounts: 'c.json' }],
    [['report', 'r.json', '--format', 'junit'], 'report', { format: 'junit' }],
  ])('%j → %s', async (argv, command, expected) => {
    const { invocation, error } = await parse(argv);
    expect(error).toBeUndefined();
    expect(invocation?.command).toBe(command);
    expect(invocation?.options).toMatchObject(expected);
  });

  it('passes the report command its file argument', async () => {
    const { invocation } = await parse(['report', 'out/result.json']);
    expect(invocation?.args).toEqual(['out/result.json']);
  });

  it.each([
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['bench', '--scale', 'huge'], /argument 'huge' is invalid.*tiny, small, medium, large/],
    [['bench', '--seed', '-1'], /--seed must be a non-negative integer/],
    [['bench', '--seed', '1.5'], /--seed must be a non-negative integer/],
    [['bench', '--baseline', 'mongoose'], /Allowed choices are bare, prisma/],
    [['bench', '--budget-seconds', '0'], /--budget-seconds must be a number greater than 0/],
    [['bench', '--frob'], /unknown option '--frob'/],
    [['report'], /missing required argument/],
    [['report', 'r.json', '--format', 'pdf'], /Allowed choices are md, html, junit/],
  ])('%j is refused with one line', async (argv, message) => {
    const { error, err } = await parse(argv);
    expect(error).toBeInstanceOf(CommanderError);
    expect(err).toMatch(message);
    expect(err.trim().split('\n')[0]).toMatch(/^error: /);
  });
});

describe('how the program names itself in the commands it prints', () => {
  it.each([
    ['/repo/bin/indexgate.js', '/repo', 'node bin/indexgate.js'],
    ['/app/node_modules/indexgate/bin/indexgate.js', '/app', 'npx indexgate'],
    ['/usr/lib/node_modules/indexgate/bin/indexgate.js', '/home/me', 'indexgate'],
    [undefined, '/repo', 'indexgate'],
  ])('%s run from %s → %s', (script, cwd, expected) => {
    expect(programName(script, cwd)).toBe(expected);
  });
});
