// The Claude path's tools: the conversation's read-only tools (tools.ts) and the investigator's (investigation/agent),
// each run against the app's evidence sources with every evidence id it returns recorded in the answer's citation
// ledger. Results go back to the model as quoted untrusted data, followed by the citation keys it may use. No tool
// writes anything.
import { z } from 'zod';
import type { AppContext } from '../context.js';
import type { Incident } from '../incidents/repository.js';
import type { ModelTool } from '../investigation/agent/language-model.js';
import { listRuns } from '../remediation/remediation-repository.js';
import {
  executeTool as executeInvestigatorTool,
  isQueryTool,
  toolInputSchemas as investigatorSchemas,
  type QueryToolName,
} from '../investigation/agent/tools.js';
import { quoteUntrusted } from '../investigation/agent/untrusted.js';
import type { EvidenceSources } from '../investigation/ports.js';
import { seriesSelector } from '../investigation/recorder.js';
import type { CitationLedger } from './guardrails.js';
import {
  compareMetrics,
  evidenceId,
  findChanges,
  findNewErrorLines,
  findOnCall,
  findPaged,
  findRunbook,
  findSimilar,
  findTimeline,
  withDependencies,
} from './tools.js';

const service = z.string().min(1).max(100);
const minutes = z
  .number()
  .int()
  .min(1)
  .max(7 * 24 * 60)
  .optional()
  .describe('How far back from now, in minutes (default 60).');

/** The conversation's own tools: what the deterministic answers read, offered to the model. */
export const conversationToolSchemas = {
  incident_status: z
    .object({})
    .describe(
      'The incident: status, severity, commander, people paged, hypotheses, and remediations proposed and waiting for approval.',
    ),
  recent_changes: z
    .object({ service: service.optional(), minutes })
    .describe(
      "Deploys and flag/config/infra changes in the window, for one service or the incident's service and what it depends on.",
    ),
  on_call: z.object({ service: service.optional() }).describe('Who is on call now (primary, secondary).'),
  incident_timeline: z.object({}).describe('The incident timeline so far, oldest first.'),
  compare_metrics: z
    .object({ service, kind: z.enum(['errors', 'latency', 'saturation']).optional() })
    .describe("A service's errors, latency or saturation now against the 30 minutes before the incident opened."),
  new_log_errors: z
    .object({ service, minutes })
    .describe('Error and warning log lines of a service in the window whose shape was not seen in the window before.'),
  next_runbook_step: z.object({}).describe("The incident's runbook and the suggested next step."),
  past_incidents: z
    .object({ service: service.optional() })
    .describe("The copilot's own resolved incidents with their root cause, and the incident history's similar ones."),
} as const;

type ConversationToolName = keyof typeof conversationToolSchemas;

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
  return rest;
}

const INVESTIGATOR_DESCRIPTIONS: Record<QueryToolName, string> = {
  query_metrics: 'Prometheus range query by metric role and service, or raw PromQL. Series with sampled points.',
  search_logs: 'Log lines of a service in the window, oldest first, optionally filtered by substring and level.',
  list_deploys: 'Code deploys in the window (id, service, time, sha, author, title, files).',
  list_changes: 'Feature-flag, config, infra and schema changes in the window.',
  get_commit: 'One commit: message and changed files.',
  similar_incidents: 'Past incidents of the incident history similar to a service or text.',
  read_runbook: 'The runbooks: without id, the list (id, title, alerts); with id, its markdown.',
};

/** Every tool offered to the model: the conversation's, then the investigator's query tools (never its submit tool). */
export function buildModelTools(): ModelTool[] {
  const own = (Object.keys(conversationToolSchemas) as ConversationToolName[]).map((name) => ({
    name,
    description: conversationToolSchemas[name].description ?? name,
    inputSchema: jsonSchema(conversationToolSchemas[name]),
  }));
  const investigator = (Object.keys(investigatorSchemas) as QueryToolName[]).map((name) => ({
    name,
    description: INVESTIGATOR_DESCRIPTIONS[name],
    inputSchema: jsonSchema(investigatorSchemas[name]),
  }));
  return [...own, ...investigator];
}

const isConversationTool = (name: string): name is ConversationToolName => Object.hasOwn(conversationToolSchemas, name);

export interface ToolRun {
  ctx: AppContext;
  incident: Incident;
  ledger: CitationLedger;
  nowMs: number;
}

/** Largest result handed back, in characters: bounds the tokens of one round. */
const MAX_RESULT_CHARS = 10_000;

/** What one tool call gives back to the model: the quoted data and the citation keys of what it retrieved. */
export async function runModelTool(name: string, input: unknown, run: ToolRun): Promise<string> {
  const ids: string[] = [];
  const record = (id: string) => {
    if (!ids.includes(id)) ids.push(id);
  };
  let data: string;
  if (isConversationTool(name)) {
    const payload = await runConversationTool(name, input, run, record);
    data = JSON.stringify(payload);
    if (data.length > MAX_RESULT_CHARS) data = `${data.slice(0, MAX_RESULT_CHARS)}… (truncated)`;
    data = quoteUntrusted(`tool:${name}`, data);
  } else if (isQueryTool(name)) {
    const out = await executeInvestigatorTool(name, input, {
      sources: recordingSources(run.ctx.services.evidence, record),
      now: run.nowMs,
      lookbackMs: run.ctx.config.file.metrics.lookback,
      stepMs: run.ctx.config.file.metrics.step,
    });
    data = out.text;
  } else {
    throw new UnknownToolError(name);
  }
  const keys = ids.slice(0, 60).map((id) => run.ledger.add(id));
  const cite = keys.length
    ? `Evidence retrieved by this call, cite as: ${keys.map((k) => `[ev:${k}]`).join(' ')}`
    : 'This call retrieved no evidence to cite.';
  return `${data}\n${cite}`;
}

export class UnknownToolError extends Error {
  constructor(name: string) {
    super(`unknown tool ${name.slice(0, 64)}`);
  }
}

async function runConversationTool(
  name: ConversationToolName,
  rawInput: unknown,
  run: ToolRun,
  record: (id: string) => void,
): Promise<unknown> {
  const { ctx, incident, nowMs } = run;
  const windowOf = (mins?: number) => {
    const len = (mins ?? 60) * 60_000;
    return { startMs: nowMs - len, endMs: nowMs, label: `the last ${mins ?? 60} minutes` };
  };
  switch (name) {
    case 'incident_status': {
      conversationToolSchemas.incident_status.parse(rawInput ?? {});
      const id = evidenceId('incident', incident.publicId);
      record(id);
      const inv = incident.investigation;
      const hypotheses = (inv?.hypotheses ?? []).map((h, i) => ({
        n: i + 1,
        category: h.category,
        service: h.service,
        cause: h.cause,
        confidence: h.confidence,
        summary: h.summary,
        evidence: h.evidence.map((e) => {
          const eid = evidenceId(e.kind, e.ref);
          record(eid);
          return { id: eid, detail: e.detail };
        }),
      }));
      return {
        id,
        title: incident.title,
        status: incident.status,
        severity: incident.severity,
        service: incident.service,
        commander: incident.commander,
        paged: await findPaged(ctx, incident),
        openedAt: incident.openedAt.toISOString(),
        acknowledgedAt: incident.acknowledgedAt?.toISOString() ?? null,
        novel: inv?.novel ?? null,
        hypotheses,
        suggestedStep: inv?.suggestedStep ?? null,
        // Proposals waiting for a person: citing one offers its Approve/Reject buttons under the answer.
        proposedRemediations: (await listRuns(ctx.knex, incident.id))
          .filter((r) => r.status === 'proposed')
          .map((r) => {
            const rid = evidenceId('remediation', String(r.id));
            record(rid);
            return {
              id: rid,
              action: r.action,
              service: r.service,
              cause: r.cause,
              because: r.hypothesis,
              status: 'proposed: waiting for a person to approve it with its button',
            };
          }),
      };
    }
    case 'recent_changes': {
      const input = conversationToolSchemas.recent_changes.parse(rawInput ?? {});
      const svc = input.service ?? incident.service ?? undefined;
      const scope = input.service ? [input.service] : svc ? await withDependencies(ctx, svc) : undefined;
      const found = await findChanges(ctx, scope, windowOf(input.minutes));
      return {
        deploys: found.deploys.map((d) => {
          const id = evidenceId('deploy', d.id);
          record(id);
          return { id, service: d.service, ts: d.ts, sha: d.sha, author: d.author, title: d.title };
        }),
        changes: found.changes.map((c) => {
          const id = evidenceId('change', c.id);
          record(id);
          return { id, kind: c.kind, service: c.service, ts: c.ts, author: c.author, summary: c.summary };
        }),
        ...(found.missing ? { missing: found.missing } : {}),
      };
    }
    case 'on_call': {
      const input = conversationToolSchemas.on_call.parse(rawInput ?? {});
      const svc = input.service ?? incident.service ?? undefined;
      const view = await findOnCall(ctx, svc);
      const id = evidenceId('oncall', svc ?? 'all');
      record(id);
      return { id, at: view.at.toISOString(), rows: view.rows };
    }
    case 'incident_timeline': {
      conversationToolSchemas.incident_timeline.parse(rawInput ?? {});
      const events = (await findTimeline(ctx, incident)).slice(-40);
      return events.map((e) => {
        const id = evidenceId('timeline', String(e.id));
        record(id);
        return { id, at: e.at.toISOString(), type: e.type, actor: e.actor, data: e.data };
      });
    }
    case 'compare_metrics': {
      const input = conversationToolSchemas.compare_metrics.parse(rawInput ?? {});
      const kinds = input.kind ? [input.kind] : (['errors', 'latency', 'saturation'] as const);
      const beforeMs = Math.min(incident.openedAt.getTime(), nowMs);
      const r = await compareMetrics(ctx, input.service, [...kinds], nowMs, beforeMs);
      for (const f of r.found) record(f.id);
      return {
        before: `mean of the 30 minutes before ${new Date(beforeMs).toISOString()}`,
        found: r.found,
        ...(r.missing ? { missing: r.missing } : {}),
      };
    }
    case 'new_log_errors': {
      const input = conversationToolSchemas.new_log_errors.parse(rawInput ?? {});
      const r = await findNewErrorLines(ctx, input.service, windowOf(input.minutes));
      return {
        total: r.total,
        lines: r.lines.slice(0, 20).map((l) => {
          record(l.id);
          return { id: l.id, count: l.count, ts: l.line.ts, level: l.line.level, line: l.line.line };
        }),
        ...(r.missing ? { missing: r.missing } : {}),
      };
    }
    case 'next_runbook_step': {
      conversationToolSchemas.next_runbook_step.parse(rawInput ?? {});
      const r = await findRunbook(ctx, incident);
      const rb = r.runbook?.id ?? r.step?.runbook;
      const id = rb ? evidenceId('runbook', rb) : undefined;
      if (id) record(id);
      return {
        ...(id ? { id } : {}),
        runbook: r.runbook ? { id: r.runbook.id, title: r.runbook.title, markdown: r.runbook.markdown } : null,
        step: r.step,
        ...(r.missing ? { missing: r.missing } : {}),
      };
    }
    case 'past_incidents': {
      const input = conversationToolSchemas.past_incidents.parse(rawInput ?? {});
      const r = await findSimilar(ctx, incident, input.service ?? incident.service ?? undefined);
      return {
        own: r.own.map((i) => {
          const id = evidenceId('incident', i.publicId);
          record(id);
          return { id, ...i, resolvedAt: i.resolvedAt.toISOString() };
        }),
        history: r.history.map((p) => {
          const id = evidenceId('past_incident', p.id);
          record(id);
          return { ...p, id };
        }),
        ...(r.missing ? { missing: r.missing } : {}),
      };
    }
  }
}

/**
 * The evidence sources as the investigator's tools read them, recording the evidence id of everything they return
 * (ids of the same shape as the conversation's: `metric:<role>:<service>{labels}`, `log:<service>@<ts>`, ...).
 */
export function recordingSources(sources: EvidenceSources, record: (id: string) => void): EvidenceSources {
  const out: EvidenceSources = { graph: sources.graph };
  const { metrics, logs, changes, history, runbooks } = sources;
  if (metrics)
    out.metrics = {
      async queryRole(role, svc, range) {
        const series = await metrics.queryRole(role, svc, range);
        for (const s of series) {
          const labels = Object.entries(s.metric)
            .filter(([k]) => k !== '__name__' && k !== 'service' && k !== 'job' && k !== 'instance')
            .map(([k, v]) => `${k}=${v}`)
            .join(',');
          record(evidenceId('metric', `${role}:${svc}${labels ? `{${labels}}` : ''}`));
        }
        return series;
      },
      async queryRange(promql, range) {
        const series = await metrics.queryRange(promql, range);
        for (const s of series) record(evidenceId('metric', seriesSelector(s.metric)));
        return series;
      },
    };
  if (logs)
    out.logs = {
      async search(query) {
        const lines = await logs.search(query);
        for (const l of lines) record(evidenceId('log', `${l.service}@${l.ts}`));
        return lines;
      },
    };
  if (changes)
    out.changes = {
      async listDeploys(range, svc) {
        const list = await changes.listDeploys(range, svc);
        for (const d of list) record(evidenceId('deploy', d.id));
        return list;
      },
      async listChanges(range, svc) {
        const list = await changes.listChanges(range, svc);
        for (const c of list) record(evidenceId('change', c.id));
        return list;
      },
      ...(changes.getCommit
        ? {
            getCommit: async (sha: string, svc?: string) => {
              const c = await changes.getCommit!(sha, svc);
              if (c) record(evidenceId('commit', c.sha));
              return c;
            },
          }
        : {}),
    };
  if (history)
    out.history = {
      async similar(query) {
        const list = await history.similar(query);
        for (const p of list) record(evidenceId('past_incident', p.id));
        return list;
      },
    };
  if (runbooks)
    out.runbooks = {
      async list() {
        const list = await runbooks.list();
        for (const r of list) record(evidenceId('runbook', r.id));
        return list;
      },
    };
  return out;
}
