/**
 * How library code tells the user what it is doing without touching the terminal:
 * the CLI passes a Reporter that writes to stderr (a bar on a TTY, periodic lines
 * otherwise); tests pass `silentReporter` or a recording one.
 */
export interface Reporter {
  /** A one-line message worth reading (which mongod was used, a stage starting). */
  notice(message: string): void;
  /** Starts a counter for long work; `unit` names what is counted ("docs"). */
  progress(label: string, total: number, unit: string): ProgressHandle;
}

export interface ProgressHandle {
  /** Sets the number of units done so far. */
  update(done: number): void;
  /** Ends the counter (with a final line where lines are used). */
  stop(): void;
}

const noProgress: ProgressHandle = { update() {}, stop() {} };

export const silentReporter: Reporter = {
  notice() {},
  progress: () => noProgress,
};
