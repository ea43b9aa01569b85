import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineRefusal, runCli } from '../support/cli.js';
import { startAuthServer } from '../support/servers.js';

const user = 'ops';
const password = 'Sup3r-Secret-Pa55';
let server: Awaited<ReturnType<typeof startAuthServer>>;
let out: string;

beforeAll(async () => {
  server = await startAuthServer(user, password);
  out = await mkdtemp(join(tmpdir(), 'indexgate-creds-'));
}, 300_000);
afterAll(() => server?.stop());

const uri = (pw: string) => `mongodb://${user}:${encodeURIComponent(pw)}@127.0.0.1:${server.port}/staging?authSource=admin`;

describe('credentials never show', () => {
  it('an authentication failure: one line, exit 2, no password', async () => {
    const run = await runCli(['verify', '--uri', uri('wrong-password-123')]);
    expectOneLineRefusal(run, /cannot use mongodb:\/\/<credentials>@127\.0\.0\.1:\d+\/staging\?authSource=admin: authentication failed/);
    expect(run.stderr).not.toContain('wrong-password-123');
  });

  it('a URI with a password never shows it: not on stdout, stderr, nor in any report file', async () => {
    const seed = await runCli(['seed', '--uri', uri(password), '--scale', 'tiny', '--json']);
    expect(seed.code).toBe(0);
    const verify = await runCli(['verify', '--uri', uri(password), '--budget-seconds', '60', '--out', out]);
    expect([0, 1, 3]).toContain(verify.code);
    const json = await runCli(['verify', '--uri', uri(password), '--budget-seconds', '60', '--out', join(out, 'json'), '--json']);
    const texts = [seed.stdout, seed.stderr, verify.stdout, verify.stderr, json.stdout, json.stderr];
    for (const dir of [out, join(out, 'json')])
      for (const f of (await readdir(dir)).filter((n) => n.includes('.'))) texts.push(await readFile(join(dir, f), 'utf8'));
    expect(texts.join('\n')).toContain('<credentials>');
    for (const text of texts) {
      expect(text).not.toContain(password);
      expect(text).not.toContain(encodeURIComponent(password));
    }
  });
});
