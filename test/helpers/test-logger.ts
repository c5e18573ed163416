// The app's logger in integration tests: silent on success, but a failing test prints the app's last warnings and
// errors, so a failure on a loaded CI machine says what went wrong inside the app (a retried step, a refused call).
import { onTestFailed } from 'vitest';
import { createLogger, type Logger } from '../../src/logger.js';

/** How many log lines a failing test prints at most (the newest). */
const KEPT_LINES = 200;

/**
 * With TEST_LOG_LEVEL set, a logger at that level on stdout (as before). Otherwise warnings and errors are kept in
 * memory and printed only when the test running now fails (outside a test, e.g. in beforeAll, nothing is printed).
 */
export function testLogger(): Logger {
  const level = process.env.TEST_LOG_LEVEL;
  if (level) return createLogger({ level });
  const lines: string[] = [];
  const destination = {
    write(line: string) {
      lines.push(line);
      if (lines.length > KEPT_LINES) lines.shift();
    },
  };
  try {
    onTestFailed(() => {
      if (lines.length) console.error(`The app's last ${lines.length} warnings and errors:\n${lines.join('')}`);
    });
  } catch {
    // Not inside a test (a hook or a helper run at collection): no failure to report to.
  }
  return createLogger({ level: 'warn', destination, format: 'json' });
}
