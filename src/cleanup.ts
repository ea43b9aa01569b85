/**
 * Things to undo when a command ends, however it ends (success, error, Ctrl-C): stop
 * servers, close clients, remove temporary files. Tasks run once, newest first; one
 * failing task does not keep the others from running.
 */
export class Cleanup {
  private readonly tasks: Array<() => Promise<void>> = [];
  private running: Promise<void> | undefined;

  add(task: () => Promise<void>): void {
    this.tasks.push(task);
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      while (this.tasks.length > 0) {
        const task = this.tasks.pop();
        try {
          await task?.();
        } catch {
          // Cleanup is best effort: the next task must still run.
        }
      }
    })();
    return this.running;
  }
}
