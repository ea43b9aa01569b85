import { cpus, totalmem } from 'node:os';
import type { Db } from 'mongodb';
import type { ResolvedMongod } from './binary.js';

export const topologies = ['standalone', 'replicaSet', 'sharded'] as const;
export type Topology = (typeof topologies)[number];

/** What the result JSON records about where a run happened. */
export interface Environment {
  mongodVersion: string;
  topology: Topology;
  storageEngine: string | null;
  /** The target as given, credentials redacted; "embedded" for the throw-away server. */
  target: string;
  /** Where the embedded mongod came from; null for --uri targets. */
  mongodSource: string | null;
  /** True when mongod ran under Wine: latencies then carry a ~1.3 ms round-trip floor. */
  underWine: boolean;
  machine: { platform: string; arch: string; cpus: number; cpuModel: string; memoryGb: number; node: string };
}

export interface ServerFacts {
  mongodVersion: string;
  topology: Topology;
  storageEngine: string | null;
}

/** Reads version, topology and storage engine; read-only commands only. */
export async function describeServer(db: Db): Promise<ServerFacts> {
  const admin = db.admin();
  const hello = await admin.command({ hello: 1 });
  const buildInfo = await admin.command({ buildInfo: 1 });
  const topology: Topology = hello.msg === 'isdbgrid' ? 'sharded' : typeof hello.setName === 'string' ? 'replicaSet' : 'standalone';
  let storageEngine: string | null = null;
  try {
    // `wiredTiger: 0` leaves out the section that crashes mongod under Wine (and is large anyway).
    const status = await admin.command({ serverStatus: 1, wiredTiger: 0, repl: 0, metrics: 0, locks: 0 });
    storageEngine = typeof status.storageEngine?.name === 'string' ? status.storageEngine.name : null;
  } catch {
    // Missing privilege (clusterMonitor) or a mongos: the engine stays unknown.
  }
  return { mongodVersion: String(buildInfo.version), topology, storageEngine };
}

export function describeEnvironment(facts: ServerFacts, target: string, mongod: ResolvedMongod | undefined): Environment {
  const cpuList = cpus();
  return {
    ...facts,
    target,
    mongodSource: mongod?.source ?? null,
    underWine: mongod?.underWine ?? false,
    machine: {
      platform: process.platform,
      arch: process.arch,
      cpus: cpuList.length,
      cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
      memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      node: process.version,
    },
  };
}
