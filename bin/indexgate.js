#!/usr/bin/env node
// The built program (dist/, `npm run build`); after `npm ci` alone, the TypeScript sources through tsx.
import { existsSync } from 'node:fs';
const built = existsSync(`${import.meta.dirname}/../dist/src/cli.js`);
if (!built) (await import('tsx/esm/api')).register();
const root = built ? '../dist/' : '../';
const { applications } = await import(`${root}apps/built-in.js`);
const { main } = await import(`${root}src/cli.js`);
await main(applications);
