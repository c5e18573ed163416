// `incident-copilot trace INC-N [--json]`: an incident's decision trace as a tree with timings (queries, findings,
// hypotheses, policy decisions, actions, verification), read from the database.
import type { Knex } from 'knex';
import {
  buildTraceTree,
  formatSpanTime,
  formatTraceTree,
  terminalSafe,
  terminalSafeJson,
  traceTreeJson,
} from '../../lib/trace-tree.js';
import { findIncidentByPublicId } from '../incidents/repository.js';
import { listSpans } from './spans-repository.js';

export interface TraceIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const USAGE = 'Usage: incident-copilot trace INC-N [--json]';

/** Prints the trace; exit 2 on bad arguments, 1 for an unknown incident, 0 otherwise. */
export async function runTraceCommand(knex: Knex, args: string[], io: TraceIo): Promise<number> {
  const json = args.includes('--json');
  const ids = args.filter((a) => a !== '--json');
  if (ids.length !== 1 || ids[0]!.startsWith('-')) {
    io.stderr(`trace: expected one incident id\n${USAGE}`);
    return 2;
  }
  const publicId = ids[0]!;
  if (!/^[A-Za-z]+-\d{1,9}$/.test(publicId)) {
    io.stderr(`trace: expected an incident id such as INC-12, not ${JSON.stringify(publicId.slice(0, 40))}`);
    return 2;
  }
  const incident = await findIncidentByPublicId(knex, publicId);
  if (!incident) {
    io.stderr(`trace: no incident ${publicId}`);
    return 1;
  }
  const spans = await listSpans(knex, { incidentId: incident.id });
  const tree = buildTraceTree(spans);
  const traceId = spans[0]?.traceId ?? null;
  if (json) {
    io.stdout(terminalSafeJson({ incident: incident.publicId, traceId, ...(traceTreeJson(tree) as object) }, 2));
    return 0;
  }
  if (!spans.length) {
    io.stdout(`${incident.publicId}: nothing recorded yet (no investigation, decision or action).`);
    return 0;
  }
  // The title comes from the alert: untrusted, like the spans' attributes.
  const title = terminalSafe(incident.title);
  io.stdout(
    `${incident.publicId} ${title}\n` +
      `trace ${traceId}  ${spans.length} spans over ${formatSpanTime(tree.durationMs)}\n\n` +
      formatTraceTree(tree).join('\n'),
  );
  return 0;
}
