import type { GateCheck, RunResult } from '../result.js';

/**
 * JUnit XML: one test case per check (index presence, plan, speedup, budget, counts,
 * regression), grouped in one test suite per kind of check, so that CI systems show
 * which check failed and why.
 */
export function renderJunit(result: RunResult): string {
  const kinds = [...new Set(result.gate.checks.map((c) => c.check))];
  const failures = result.gate.checks.filter((c) => c.outcome === 'fail').length;
  const skipped = result.gate.checks.filter((c) => c.outcome === 'inconclusive' || c.outcome === 'accepted').length;
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const suites = kinds.map((kind) => {
    const checks = result.gate.checks.filter((c) => c.check === kind);
    const failed = checks.filter((c) => c.outcome === 'fail').length;
    const undecided = checks.filter((c) => c.outcome === 'inconclusive' || c.outcome === 'accepted').length;
    const cases = checks.map((c) => testCase(c, result)).join('\n');
    return `  <testsuite name="indexgate.${result.command}.${kind}" tests="${checks.length}" failures="${failed}" errors="0" skipped="${undecided}" timestamp="${escape(result.startedAt.slice(0, 19))}" time="0">
    <properties>
      <property name="runId" value="${escape(result.runId)}"/>
      <property name="mongodVersion" value="${escape(result.environment.mongodVersion)}"/>
      <property name="topology" value="${escape(result.environment.topology)}"/>
      <property name="dataset" value="${escape(result.dataset.fingerprint)}"/>
    </properties>
${cases}
  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="indexgate ${escape(result.command)} ${escape(result.runId)}" tests="${result.gate.checks.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(result.timings.total ?? 0)}">
${suites.join('\n')}
</testsuites>
`;
}

function testCase(check: GateCheck, result: RunResult): string {
  const subject = check.pattern ?? check.index ?? check.collection ?? check.check;
  const name = `${subject}${check.userClass ? ` (${check.userClass})` : ''}`;
  const buildMs = check.check === 'index' ? (result.indexes.find((ix) => ix.name === check.index)?.buildMs ?? 0) : 0;
  const open = `    <testcase classname="indexgate.${escape(check.check)}" name="${escape(name)}" time="${(buildMs / 1000).toFixed(3)}"`;
  if (check.outcome === 'pass') return `${open}>\n      <system-out>${escape(check.message)}</system-out>\n    </testcase>`;
  // Inconclusive: the samples could not decide; JUnit's nearest word is skipped, never passed.
  if (check.outcome === 'inconclusive')
    return `${open}>\n      <skipped message="${escape(`inconclusive: ${check.message}`)}"/>\n    </testcase>`;
  // Accepted: a known failure the team accepted (history accept); reported, not counted.
  if (check.outcome === 'accepted')
    return `${open}>\n      <skipped message="${escape(`accepted failure: ${check.message}`)}"/>\n    </testcase>`;
  return `${open}>\n      <failure type="${escape(check.check)}" message="${escape(check.message)}">${escape(check.message)}</failure>\n    </testcase>`;
}

/** XML 1.0 text: the five entities escaped, characters XML cannot carry removed. */
function escape(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- the XML 1.0 character ranges are control characters by definition
      .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
      .replaceAll('&', '&amp;')
      .replaceAll('<', '&lt;')
      .replaceAll('>', '&gt;')
      .replaceAll('"', '&quot;')
      .replaceAll("'", '&apos;')
  );
}
