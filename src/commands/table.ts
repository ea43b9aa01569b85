import type { AnyCommand } from './command.js';
import { benchCommand } from './bench.js';
import { captureCommand } from './capture.js';
import { explainCommand } from './explain.js';
import { historyAcceptCommand, historyShowCommand } from './history.js';
import { indexesApplyCommand, indexesCheckCommand, indexesListCommand, indexesScriptCommand, indexesVerifyCommand } from './indexes.js';
import { profileCommand } from './profile.js';
import { reportCommand } from './report.js';
import { routesCheckCommand, routesRenderCommand } from './routes.js';
import { seedCommand } from './seed.js';
import { verifyCommand } from './verify.js';

/** Every command, in the order `--help` lists them: each declares its options, runs, and renders its outcome. */
export const commandTable: readonly AnyCommand[] = [
  benchCommand,
  seedCommand,
  profileCommand,
  indexesListCommand,
  indexesScriptCommand,
  indexesApplyCommand,
  indexesVerifyCommand,
  indexesCheckCommand,
  explainCommand,
  verifyCommand,
  reportCommand,
  captureCommand,
  routesRenderCommand,
  routesCheckCommand,
  historyShowCommand,
  historyAcceptCommand,
];

/** The groups' own descriptions (`indexgate indexes --help`). */
export const commandGroups: Readonly<Record<string, string>> = {
  indexes: "the migration's index set: list, script, apply, verify, check",
  routes: 'route files: render what a route sends, check it against captured traffic',
  history: "the nightly gate's history file (bench --history): show its series, accept a change",
};
