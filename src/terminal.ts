import { SingleBar } from 'cli-progress';
import type { ProgressHandle, Reporter } from './progress.js';

/**
 * The CLI's Reporter: notices as lines on stderr; progress as a bar with a rate when
 * stderr is a terminal, else as a line every few seconds (CI logs stay readable).
 * Part of the CLI layer: library code only sees the Reporter interface.
 */
export function terminalReporter(stderr: NodeJS.WriteStream, redact: (s: string) => string = (s) => s): Reporter {
  const write = (line: string) => stderr.write(`${redact(line)}\n`);
  return {
    notice: (message) => write(`indexgate: ${message}`),
    progress: (label, total, unit) => (stderr.isTTY ? barProgress(stderr, label, total, unit) : lineProgress(write, label, total, unit)),
  };
}

function barProgress(stream: NodeJS.WriteStream, label: string, total: number, unit: string): ProgressHandle {
  const started = performance.now();
  const bar = new SingleBar({
    stream,
    format: `${label} [{bar}] {percentage}% {value}/{total} ${unit} {rate} ${unit}/s eta {eta_formatted}`,
    hideCursor: true,
    clearOnComplete: false,
    etaBuffer: 50,
    fps: 5,
  });
  bar.start(total, 0, { rate: '0' });
  return {
    update(done) {
      const seconds = (performance.now() - started) / 1000;
      bar.update(done, { rate: seconds > 0 ? Math.round(done / seconds).toLocaleString('en-US') : '0' });
    },
    stop() {
      bar.stop();
    },
  };
}

function lineProgress(write: (line: string) => void, label: string, total: number, unit: string): ProgressHandle {
  const started = performance.now();
  let lastPrint = started;
  let lastDone = 0;
  const line = (done: number) => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
    write(
      `indexgate: ${label} ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${unit} (${pct}%, ${rate.toLocaleString('en-US')} ${unit}/s)`,
    );
  };
  return {
    update(done) {
      lastDone = done;
      const now = performance.now();
      if (now - lastPrint >= 5000) {
        lastPrint = now;
        line(done);
      }
    },
    stop() {
      line(lastDone);
    },
  };
}
