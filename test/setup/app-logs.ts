// Integration tests: a failing test prints the warnings and errors its apps logged while it ran (test-logger.ts).
import { beforeEach } from 'vitest';
import { appLogs, forgetAppLogs } from '../helpers/test-logger.js';

beforeEach(({ onTestFailed }) => {
  forgetAppLogs();
  onTestFailed(() => {
    const logs = appLogs();
    if (logs) console.error(`The app's warnings and errors during this test:\n${logs}`);
  });
});
