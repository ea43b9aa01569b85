import { homedir, tmpdir } from 'node:os';
import { aptInstall, exists, type HostInfo, which } from '../../src/system.js';

const host: HostInfo = {
  env: process.env,
  platform: process.platform,
  arch: process.arch,
  uid: process.getuid?.(),
  homedir: homedir(),
  tmpdir: tmpdir(),
};

/**
 * Debian's Chromium for the browser tests: $CHROMIUM_PATH, /usr/bin/chromium, or on PATH;
 * on a fresh Debian machine (as root) it is installed with apt-get once, as the Wine
 * fallback is. Anywhere else the test fails with what to install.
 */
export async function chromiumPath(): Promise<string> {
  for (const candidate of [process.env.CHROMIUM_PATH, '/usr/bin/chromium']) {
    if (candidate && (await exists(candidate))) return candidate;
  }
  const onPath = (await which('chromium', host.env)) ?? (await which('chromium-browser', host.env));
  if (onPath) return onPath;
  const aptGet = await which('apt-get', host.env);
  if (host.platform === 'linux' && aptGet && host.uid === 0) {
    process.stderr.write('[test] installing Debian chromium for the HTML report test (one time)\n');
    await aptInstall(host, aptGet, 'chromium');
    if (await exists('/usr/bin/chromium')) return '/usr/bin/chromium';
  }
  throw new Error("the HTML report test needs Chromium: install Debian's chromium package or set CHROMIUM_PATH");
}

/** Flags for a headless Chromium on a closed network (no background connections). */
export const chromiumArgs = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
