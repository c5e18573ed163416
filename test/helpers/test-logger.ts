// The app's logger in integration tests: silent on success, but a failing test prints the app's warnings and errors
// logged while it ran, so a failure on a loaded CI machine says what went wrong inside the app (a retried step, a
// refused call). test/setup/app-logs.ts empties the kept lines before each test and prints them when it fails.
import { createLogger, type Logger } from '../../src/logger.js';

/** How many log lines each app keeps for a failing test (the newest). */
const KEPT_LINES = 200;

/** The kept lines of every app made by testLogger in this test file, whichever test or hook made it. */
const kept = new Set<string[]>();

/**
 * With TEST_LOG_LEVEL set, a logger at that level on stdout. Otherwise warnings and errors are kept in memory, for
 * the running test to print if it fails (an app made in `beforeAll` keeps them for each test in turn).
 */
export function testLogger(): Logger {
  const level = process.env.TEST_LOG_LEVEL;
  if (level) return createLogger({ level });
  const lines: string[] = [];
  kept.add(lines);
  const destination = {
    write(line: string) {
      lines.push(line);
      if (lines.length > KEPT_LINES) lines.shift();
    },
  };
  return createLogger({ level: 'warn', destination, format: 'json' });
}

/** Forgets what the apps logged so far (before a test). */
export function forgetAppLogs(): void {
  for (const lines of kept) lines.length = 0;
}

/** What the apps logged since forgetAppLogs, as one text; empty when nothing. */
export function appLogs(): string {
  return [...kept].map((lines) => lines.join('')).join('');
}
