#!/usr/bin/env node
import { builtInWorkload } from '../dist/bench/built-in-workload.js';
import { main } from '../dist/src/cli.js';
await main(builtInWorkload);
