// `npm install`'s postinstall step: prepares a new embedded (PGlite) data directory for the installed PGlite version
// in node_modules/.cache/incident-copilot, so a first `npm start` copies it instead of running initdb (~7 s of CPU on
// a 2-core machine; src/adapters/db/embedded-template.ts). Never fails the install: without it, the first start runs
// initdb itself and keeps the result for the next one.
import { defaultTemplateCache, prepareTemplate } from '../src/adapters/db/embedded-template.js';

const t0 = performance.now();
try {
  const dir = await prepareTemplate(defaultTemplateCache());
  console.log(
    `incident-copilot: embedded database template ready in ${dir} (${Math.round(performance.now() - t0)} ms)`,
  );
} catch (err) {
  console.warn(
    `incident-copilot: no embedded database template prepared (${err instanceof Error ? err.message : String(err)}); the first start will run initdb`,
  );
}
