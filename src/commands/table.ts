import { type AnyCommand, lazyCommand } from './command.js';
import { benchCommand } from './bench-options.js';
import { captureCommand } from './capture-options.js';
import { explainCommand } from './explain-options.js';
import { historyAcceptCommand, historyShowCommand } from './history-options.js';
import {
  indexesApplyCommand,
  indexesCheckCommand,
  indexesListCommand,
  indexesScriptCommand,
  indexesVerifyCommand,
} from './indexes-options.js';
import { profileCommand } from './profile-options.js';
import { reportCommand } from './report-options.js';
import { routesCheckCommand, routesRenderCommand } from './routes-options.js';
import { seedCommand } from './seed-options.js';
import { verifyCommand } from './verify-options.js';

/**
 * Every command, in the order `--help` lists them: each declares its options (`*-options.ts`,
 * loaded at every start), and runs and renders its outcome (its own module, loaded when it runs).
 */
export const commandTable: readonly AnyCommand[] = [
  lazyCommand(benchCommand, async () => (await import('./bench.js')).benchImplementation),
  lazyCommand(seedCommand, async () => (await import('./seed.js')).seedImplementation),
  lazyCommand(profileCommand, async () => (await import('./profile.js')).profileImplementation),
  lazyCommand(indexesListCommand, async () => (await import('./indexes.js')).indexesListImplementation),
  lazyCommand(indexesScriptCommand, async () => (await import('./indexes.js')).indexesScriptImplementation),
  lazyCommand(indexesApplyCommand, async () => (await import('./indexes.js')).indexesApplyImplementation),
  lazyCommand(indexesVerifyCommand, async () => (await import('./indexes.js')).indexesVerifyImplementation),
  lazyCommand(indexesCheckCommand, async () => (await import('./indexes.js')).indexesCheckImplementation),
  lazyCommand(explainCommand, async () => (await import('./explain.js')).explainImplementation),
  lazyCommand(verifyCommand, async () => (await import('./verify.js')).verifyImplementation),
  lazyCommand(reportCommand, async () => (await import('./report.js')).reportImplementation),
  lazyCommand(captureCommand, async () => (await import('./capture.js')).captureImplementation),
  lazyCommand(routesRenderCommand, async () => (await import('./routes.js')).routesRenderImplementation),
  lazyCommand(routesCheckCommand, async () => (await import('./routes.js')).routesCheckImplementation),
  lazyCommand(historyShowCommand, async () => (await import('./history.js')).historyShowImplementation),
  lazyCommand(historyAcceptCommand, async () => (await import('./history.js')).historyAcceptImplementation),
];

/** The groups' own descriptions (`indexgate indexes --help`). */
export const commandGroups: Readonly<Record<string, string>> = {
  indexes: "the migration's index set: list, script, apply, verify, check",
  routes: 'route files: render what a route sends, check it against captured traffic',
  history: "the nightly gate's history file (bench --history): show its series, accept a change",
};
