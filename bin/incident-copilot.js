#!/usr/bin/env node
// The `incident-copilot` command: runs the compiled dist/ when it is built and up to date (see choose-entry.js);
// otherwise runs src/cli.ts through tsx's loader, so a checkout needs no build step.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chooseEntry } from './choose-entry.js';

const entry = chooseEntry(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
if (entry.kind === 'tsx') {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(pathToFileURL(entry.file).href);
