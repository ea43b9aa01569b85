import { fileURLToPath } from 'node:url';
import { routeOf } from '../src/route-engine/load.js';
import type { UserDefinition, Workload } from '../src/workload.js';
import { baselineIndexes, indexSets } from '../indexes/sets.js';
import { builtInDataset } from '../seed/dataset.js';
import { patternContext, patterns } from './patterns.js';
import joinConversation from './routes/join-conversation.js';
import listConversations from './routes/list-conversations.js';
import listConversationsDriver from './routes/list-conversations-driver.js';
import listConversationsRewrite from './routes/list-conversations-rewrite.js';
import markRead from './routes/mark-read.js';
import sendMessage from './routes/send-message.js';

/**
 * The built-in workload: the chat application's data (`seed/`), the runbook's indexes and
 * the others the application knows (`indexes/`), its route as route files, the driver
 * model's query patterns and the shipped thresholds (`bench/`), assembled in the one shape
 * the engine defines (src/workload.ts). The CLI's entry point hands it to the commands.
 */

/** Route files are named by their source, relative to indexgate's folder: the file a reader opens (the run loads the compiled module). */
const routeFile = (name: string) => `bench/routes/${name}`;
const packageFile = (path: string) =>
  fileURLToPath(new URL(import.meta.url.includes('/dist/') ? `../../${path}` : `../${path}`, import.meta.url));

export const builtInWorkload: Workload & { readonly users: UserDefinition } = {
  name: 'meeshy GET /api/v1/conversations',
  dataset: builtInDataset,
  users: { memberships: { collection: 'ConversationMember', userField: 'userId', activeFilter: { isActive: true } } },
  indexes: { sets: indexSets, migration: 'six', baselines: baselineIndexes, schemaBaseline: 'prisma' },
  patterns: { list: patterns, context: (run, userId) => patternContext(run, { userId }) },
  routes: {
    builtIn: [
      routeOf(listConversations, routeFile('list-conversations.ts')),
      routeOf(listConversationsDriver, routeFile('list-conversations-driver.ts')),
    ],
    defaultChoice: 'all',
    verifyDefault: 'driver',
    application: {
      id: 'prisma',
      remedySet: 'remedies',
      rewrite: routeOf(listConversationsRewrite, routeFile('list-conversations-rewrite.ts')),
    },
    writes: [
      routeOf(sendMessage, routeFile('send-message.ts')),
      routeOf(markRead, routeFile('mark-read.ts')),
      routeOf(joinConversation, routeFile('join-conversation.ts')),
    ],
  },
  thresholdsFile: packageFile('bench/thresholds.json'),
  schemaFile: packageFile('seed/schema.prisma'),
};
