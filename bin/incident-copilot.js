#!/usr/bin/env node
// The `incident-copilot` command: runs src/cli.ts through tsx's loader, so no build step is needed in a checkout.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
