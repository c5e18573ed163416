// A copilot replica (on-call parts only) as its own process, so a test can SIGKILL it between escalation steps.
import { readFileSync } from 'node:fs';
import type { AppConfig } from '../../../src/config.js';
import { openIncident, startReplica } from './harness.js';

const opts = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as {
  config: AppConfig;
  schema: string;
  prefix: string;
  slackApiUrl: string;
  botToken: string;
  clockAt?: string;
  open: boolean;
};
const replica = await startReplica(opts);
const incidentId = opts.open ? await openIncident(replica.ctx, { severity: 'sev1' }) : undefined;
process.stdout.write(`ready ${incidentId ?? ''}\n`);
