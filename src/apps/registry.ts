import { UsageError } from '../errors.js';
import type { Workload } from '../workload.js';

/** A built-in application: its name (`meeshy@aa13b652`), one line on what it is, and how to load it. */
export interface ApplicationEntry {
  readonly name: string;
  readonly title: string;
  /** The application's commit and its date, for the answer's heading and the nightly's key. */
  readonly commit: string;
  readonly date: string;
  load(): Promise<Workload>;
}

/** The applications the entry point knows (apps/built-in.ts): `--app` chooses one, by name or as a folder. */
export interface Applications {
  /** The application without `--app`. */
  readonly default: string;
  readonly builtIn: readonly ApplicationEntry[];
}

/** The application a run is about: its name and commit (the history keys runs by them) and its workload. */
export interface ChosenApplication {
  readonly name: string;
  readonly commit: string;
  readonly date: string;
  readonly workload: Workload;
}

/** `--app`'s value on a command line (`--app x` or `--app=x`), read before the program is built: it decides the options' choices. */
export function appArgument(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') return undefined;
    if (arg.startsWith('--app=')) return arg.slice('--app='.length);
    if (arg === '--app') return argv[i + 1];
  }
  return undefined;
}

/** The application `--app` names (a built-in one, or a folder), or the default; an unknown one is a one-line usage error. */
export async function chooseApplication(apps: Applications, choice: string | undefined): Promise<ChosenApplication> {
  const name = choice ?? apps.default;
  const entry = apps.builtIn.find((a) => a.name === name);
  if (entry) return { name: entry.name, commit: entry.commit, date: entry.date, workload: await entry.load() };
  if (choice === undefined || choice === '')
    throw new UsageError(`--app needs a value: ${apps.builtIn.map((a) => a.name).join(', ')}, or a folder`);
  if (!/[/\\.]/.test(choice))
    throw new UsageError(
      `--app ${choice}: not a built-in application (${apps.builtIn.map((a) => a.name).join(', ')}); a folder is named by its path (./${choice})`,
    );
  // A folder's reader (its schema engine, profiles, route files) is loaded only when a folder is named.
  const { loadFolderApplication } = await import('./folder.js');
  const folder = await loadFolderApplication(choice);
  return { name: folder.manifest.name, commit: folder.manifest.commit, date: folder.manifest.date, workload: folder.workload };
}
