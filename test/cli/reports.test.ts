import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { parse as parseJunit } from 'junit2json';
import { marked } from 'marked';
import { type Browser, chromium } from 'playwright-core';
import { judgeRun } from '../../src/history/judge.js';
import { historyRecord, type RunRecord } from '../../src/history/record.js';
import type { RunResult } from '../../src/result.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs, chromiumPath } from '../support/chromium.js';
import { runCli } from '../support/cli.js';
import { testUri, uniqueDbName } from '../support/mongo.js';

let out: string;
let stdout: string;
let result: {
  gate: { verdict: 'pass' | 'fail' | 'inconclusive'; passed: boolean; failures: unknown[]; inconclusive: unknown[]; checks: unknown[] };
  patterns: { userClass: string }[];
  runId: string;
};

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'indexgate-report-'));
  // A real bench result in a state that fails by construction (one index left out: its index and plan checks fail whatever the
  // machine's speed), so the reports must show failures. The speedup checks on tiny data may pass, fail or stay undecided.
  const run = await runCli(
    [
      'bench',
      '--uri',
      testUri(),
      '--db',
      uniqueDbName('report'),
      '--scale',
      'tiny',
      '--budget-seconds',
      '900',
      '--skip-index',
      'idx_cursor_user_conv',
      // The application's page join on the bare baseline takes seconds a command even at tiny: a 1 s limit (the route's budget)
      // ends each such command sooner (over the limit, its work probed) without changing what this file checks.
      '--command-limit-ms',
      '1000',
      '--out',
      out,
    ],
    { timeoutMs: 900_000 },
  );
  expect(run.code).toBe(1);
  stdout = run.stdout;
  result = JSON.parse(await readFile(join(out, 'result.json'), 'utf8'));
  expect(result.gate.verdict).toBe('fail');
  // Generous: a harness limit, not a speed claim (the run shares two cores with the other test files).
}, 960_000);

describe('bench writes the three reports next to result.json', () => {
  it('fails, naming the checks, when one index is left out of apply', () => {
    expect(stdout).toMatch(/^VERDICT: FAIL/m);
    const failures = result.gate.failures as Array<{ check: string; index?: string; pattern?: string; message: string }>;
    expect(failures).toContainEqual(
      expect.objectContaining({
        check: 'index',
        index: 'idx_cursor_user_conv',
        message: expect.stringMatching(/missing on ConversationReadCursor/),
      }),
    );
    expect(failures).toContainEqual(
      expect.objectContaining({ check: 'plan', pattern: 'readCursors', message: expect.stringMatching(/COLLSCAN/) }),
    );
  });

  it('result.json: routes[] for every built-in route (the rewrite as a remedy), and remedies only with a measured effect', async () => {
    const saved = JSON.parse(await readFile(join(out, 'result.json'), 'utf8'));
    expect([...new Set(saved.routes.map((r: { id: string }) => r.id))]).toEqual(['prisma', 'driver', 'prisma-rewrite']);
    expect(saved.remedies.map((m: { kind: string }) => m.kind)).toEqual(['index', 'rewrite']);
    for (const m of saved.remedies) {
      // Every class, measured or (an index remedy with a class already over the limit) named as not measured.
      expect(m.classes.length + (m.notMeasured?.classes.length ?? 0)).toBe(3);
      // Its effect is the calls' TOTAL; the index remedy's commands are not explained (nothing reads their plans).
      const spent = saved.routeTimings.find(
        (b: { part: string }) => b.part === `remedy ${m.kind === 'index' ? 'indexes' : 'rewrite'}`,
      ).spent;
      if (m.kind === 'index') expect(spent.explains).toBe(0);
      else expect(spent.explains).toBeGreaterThan(0);
      expect(m.effect.userClass).toBe('typical');
      for (const e of m.classes) {
        expect(e.before.totalSamplesMs.length).toBeGreaterThan(0);
        expect(e.after.totalSamplesMs.length).toBeGreaterThan(0);
      }
    }
    // The price: each index's write keys checked against the profiler, and a reader sampled before and during the build.
    expect(saved.price.writes.routes.map((r: { route: string }) => r.route)).toEqual(['send-message', 'mark-read', 'join-conversation']);
    expect(saved.price.duringBuild.state).toBe('measured');
    expect(saved.price.duringBuild.before.samplesMs.length).toBeGreaterThan(0);
    expect(Array.isArray(saved.price.duringBuild.during.samplesMs)).toBe(true);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain('id="routes"');
    expect(html).toContain('id="during-build"');
    const md = await readFile(join(out, 'report.md'), 'utf8');
    expect(md).toMatch(/^## Routes$/m);
    expect(md).toMatch(/\*\*Answer:\*\* The index set does NOT make the application's own route/);
  });

  it('JUnit: valid XML, one test case per check, failures where the gate failed', async () => {
    const xml = await readFile(join(out, 'report.junit.xml'), 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = (await parseJunit(xml)) as {
      tests?: number;
      failures?: number;
      testsuite?: Array<{ testcase?: Array<{ failure?: Array<{ message?: string }> }> }>;
    };
    expect(parsed.tests).toBe(result.gate.checks.length);
    expect(parsed.failures).toBe(result.gate.failures.length);
    const cases = (parsed.testsuite ?? []).flatMap((s) => s.testcase ?? []);
    expect(cases).toHaveLength(result.gate.checks.length);
    const failed = cases.filter((c) => c.failure && c.failure.length > 0);
    expect(failed).toHaveLength(result.gate.failures.length);
    for (const c of failed) expect(c.failure?.[0]?.message).toBeTruthy();
  });

  it('Markdown: verdict first, and tables a plain Markdown renderer turns into <table>', async () => {
    const md = await readFile(join(out, 'report.md'), 'utf8');
    expect(md.split('\n')[0]).toMatch(/^# indexgate bench: FAIL/);
    const html = await marked.parse(md);
    expect((html.match(/<table>/g) ?? []).length).toBeGreaterThanOrEqual(4);
    expect(html).toMatch(/<th>user class<\/th>/);
    expect(html).toMatch(/<li>(<input [^>]*> )?Index de performance créés et vérifiés/);
  });

  it("HTML: opens offline in headless Chromium with the charts drawn and the verdict visible; with a history, each gated measure's trend with its change points", async () => {
    // The same report judged in a history: 20 earlier nights of this run's setting, the last 8 a quarter slower.
    const saved = JSON.parse(await readFile(join(out, 'result.json'), 'utf8')) as RunResult;
    const record = historyRecord(saved, { routes: { models: ['driver', 'prisma'] } });
    const nights: RunRecord[] = Array.from({ length: 20 }, (_, i) => ({
      ...record,
      runId: `night-${i + 1}`,
      verdict: 'pass',
      measures: Object.fromEntries(
        Object.entries(record.measures).map(([k, m]) => [k, { ...m, median: m.median * (i >= 12 ? 1.25 : 1) * (1 + 0.01 * Math.sin(i)) }]),
      ),
    }));
    const { summary } = judgeRun(record, nights);
    const trends = summary.measures.filter((m) => m.gated);
    expect(trends.length).toBeGreaterThan(0);
    expect(trends.every((t) => t.changePoints.some((c) => c.after.runId === 'night-13'))).toBe(true);
    const withHistory = join(out, 'result-with-history.json');
    await writeFile(withHistory, JSON.stringify({ ...saved, history: { file: 'nights.jsonl', ...summary } }));
    const rendered = await runCli(['report', withHistory, '--format', 'html', '--out', join(out, 'report-history.html')]);
    expect(rendered.code).toBe(0);

    const browser = await chromium.launch({ executablePath: await chromiumPath(), args: chromiumArgs });
    try {
      // Two route charts (TOTAL, phases), one chart of patterns per user class, and the price's two (size, write keys per index).
      const classes = new Set(result.patterns.map((p) => p.userClass)).size;
      const price = (saved.price ? 1 : 0) + (saved.price?.writes ? 1 : 0);
      expect(price).toBe(2);
      await checkPage(browser, join(out, 'report.html'), 2 + classes + price, result.runId);
      await checkPage(browser, join(out, 'report-history.html'), 2 + classes + trends.length + price, `${result.runId}-history`);
    } finally {
      await browser.close();
    }
  });
});

/** Opens a report offline, waits for its charts, checks each is inked, the verdict visible and no request left the page; keeps a screenshot. */
async function checkPage(browser: Browser, file: string, charts: number, name: string): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  const external: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
    external.push(url);
    return route.abort();
  });
  await page.goto(`file://${file}`);
  await page.waitForSelector('body[data-charts-drawn]', { timeout: 20_000 });
  const drawn = Number(await page.getAttribute('body', 'data-charts-drawn'));
  expect(drawn).toBe(charts);
  // Every canvas holds a drawing: count its non-white pixels.
  type Canvas = {
    width: number;
    height: number;
    getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
  };
  const inked = await page.$$eval('canvas', (canvases) =>
    canvases.map((element) => {
      const c = element as unknown as Canvas;
      const ctx = c.getContext('2d');
      if (!ctx) return 0;
      const { data } = ctx.getImageData(0, 0, c.width, c.height);
      let n = 0;
      for (let i = 0; i < data.length; i += 4)
        if ((data[i + 3] ?? 0) > 0 && ((data[i] ?? 255) < 240 || (data[i + 1] ?? 255) < 240 || (data[i + 2] ?? 255) < 240)) n++;
      return n;
    }),
  );
  expect(inked).toHaveLength(drawn);
  for (const n of inked) expect(n).toBeGreaterThan(1000);
  const verdict = page.locator('#verdict');
  expect(await verdict.isVisible()).toBe(true);
  expect(await verdict.textContent()).toMatch(
    { pass: /^PASS/, fail: /^FAIL: \d+ of \d+ checks failed/, inconclusive: /^INCONCLUSIVE: \d+ of \d+ checks undecided/ }[
      result.gate.verdict
    ],
  );
  expect(external).toEqual([]);
  // Top-down, as a reviewer reads: the answer, the routes against the budget, the remedies with the command that gates one,
  // the failures grouped by command and check, then the details; each above the next on the page.
  const tops = await page.$$eval(['#answer', '#routes', '#remedies', '#failures', '#commands', '#plans'].join(','), (elements) =>
    elements.map((e) => ({ id: e.id, top: e.getBoundingClientRect().top })),
  );
  expect(tops.map((t) => t.id)).toEqual(['answer', 'routes', 'remedies', 'failures', 'commands', 'plans']);
  for (let i = 1; i < tops.length; i++) expect((tops[i]?.top ?? 0) > (tops[i - 1]?.top ?? 0)).toBe(true);
  // A failure repeated for every class reads once, with the classes it holds for.
  const rows = await page.$$eval('#failures tbody tr', (trs) => trs.map((tr) => (tr.textContent ?? '').trim()));
  expect(rows.length).toBeLessThanOrEqual(result.gate.failures.length + result.gate.inconclusive.length);
  expect(rows.some((r) => /typical, heavy, heaviest/.test(r))).toBe(true);
  const artifacts = join(process.cwd(), 'reports', 'test-artifacts');
  await mkdir(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, `report-${name}.png`), fullPage: true });
  await page.close();
}

describe('indexgate report', () => {
  it('renders a saved result exactly as bench wrote it, to stdout or to --out', async () => {
    for (const [format, file] of [
      ['md', 'report.md'],
      ['junit', 'report.junit.xml'],
      ['html', 'report.html'],
    ] as const) {
      const run = await runCli(['report', join(out, 'result.json'), '--format', format]);
      expect(run.code).toBe(0);
      expect(run.stdout.trimEnd()).toBe((await readFile(join(out, file), 'utf8')).trimEnd());
    }
    const target = join(out, 'again.html');
    const written = await runCli(['report', join(out, 'result.json'), '--format', 'html', '--out', target]);
    expect(written.code).toBe(0);
    expect(await readFile(target, 'utf8')).toBe(await readFile(join(out, 'report.html'), 'utf8'));
  });
});
