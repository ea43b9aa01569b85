import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GrowthReport } from '../../src/growth/growth.js';
import { runCli } from '../support/cli.js';

interface SizeResult {
  dataset: { counts: Record<string, number>; profile?: { file: string; factor: number; fit: { what: string; offBy: number | null }[] } };
}

describe('a growth run over factors of a scale file', () => {
  it('benches each factor of seed/scales/tiny.json in turn and says how each route grows: growth.json, .md and .html', async () => {
    const out = await mkdtemp(join(tmpdir(), 'indexgate-growth-'));
    const scaleFile = new URL('../../seed/scales/tiny.json', import.meta.url).pathname;
    const run = await runCli(
      [
        'bench',
        '--profile',
        scaleFile,
        '--scale-factors',
        '1,0.5',
        '--route',
        'driver',
        '--no-build-load',
        '--no-writes',
        '--no-cache',
        '--out',
        out,
      ],
      { timeoutMs: 900_000 },
    );
    expect([0, 1, 3], run.stderr).toContain(run.code);
    expect((await readdir(out)).sort()).toEqual(['growth.html', 'growth.json', 'growth.md', 'x0.5', 'x1']);
    const growth = JSON.parse(await readFile(join(out, 'growth.json'), 'utf8')) as GrowthReport;
    // Smallest first, whatever order they were given in.
    expect(growth.scales.map((s) => s.scale)).toEqual(['x0.5', 'x1']);
    const driver = growth.routes.filter((r) => r.route === 'driver');
    expect(driver.length).toBeGreaterThan(0);
    for (const r of driver) expect(r.totalAfter.points).toHaveLength(2);
    const size = async (label: string) => JSON.parse(await readFile(join(out, label, 'result.json'), 'utf8')) as SizeResult;
    const [half, whole] = [await size('x0.5'), await size('x1')];
    // At factor 1 the file's sizes exactly (those of --scale tiny); at 0.5 its users and directs halved, its rooms kept.
    expect(whole.dataset.counts).toMatchObject({ User: 400, Conversation: 725 });
    expect(half.dataset.counts).toMatchObject({ User: 200, Conversation: 300 + 60 + 4 + 1 });
    for (const r of [half, whole]) {
      expect(r.dataset.profile?.file).toBe(scaleFile);
      const rows = r.dataset.profile?.fit ?? [];
      expect(rows.map((f) => f.what)).toEqual(expect.arrayContaining(['count User', 'direct conversations', 'count Message']));
      for (const f of rows) expect(f.offBy, f.what).toBeLessThanOrEqual(0.01);
    }
    expect(run.stdout).toMatch(/driver/);
  }, 960_000);
});
