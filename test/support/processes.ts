import { readFile, readdir } from 'node:fs/promises';

/**
 * Live processes tied to a run's private TMPDIR: by command line (mongod's --dbpath is
 * under it) or by environment (Wine's helpers, such as wineboot, inherit TMPDIR).
 */
export async function processesOf(scratch: string): Promise<Array<{ pid: number; cmdline: string }>> {
  const found: Array<{ pid: number; cmdline: string }> = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).replaceAll('\0', ' ');
      const environ = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
      const state = (await readFile(`/proc/${entry}/stat`, 'utf8')).split(' ')[2];
      if (state === 'Z') continue; // exited, waiting to be reaped
      if (cmdline.includes(scratch) || environ.split('\0').some((v) => v.startsWith('TMPDIR=') && v.includes(scratch)))
        found.push({ pid: Number(entry), cmdline });
    } catch {
      // exited meanwhile
    }
  }
  return found;
}
