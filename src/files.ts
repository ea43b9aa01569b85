import { randomBytes } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';

/** A run id that sorts by time and says what ran: 20261123-235959-medium-3fa2. */
export function newRunId(label: string, now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${label}-${randomBytes(2).toString('hex')}`;
}

/** Writes a file atomically: readers never see half of it. */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, content);
  await rename(temporary, path);
}
