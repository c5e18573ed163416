// The agent's tools: read-only evidence queries validated with zod, and submit_hypotheses, the only way to answer.
import { z } from 'zod';
import { CATEGORIES } from '../evidence-model.js';
import type { EvidenceSources, TimeRange } from '../ports.js';
import { seriesSelector } from '../recorder.js';
import type { ModelTool } from './language-model.js';
import { quoteUntrusted } from './untrusted.js';

const minutes = z
  .number()
  .int()
  .min(1)
  .max(24 * 60)
  .optional()
  .describe('How far back from now to look, in minutes (default: the whole investigation window).');
const service = z.string().min(1).max(100);

export const toolInputSchemas = {
  query_metrics: z
    .object({
      role: z
        .string()
        .min(1)
        .max(60)
        .optional()
        .describe('A metric role such as error_ratio, latency_p99, request_rate, cpu, memory, upstream_error_ratio.'),
      service: service.optional().describe('The service the role is read for (required with role).'),
      promql: z.string().min(1).max(500).optional().describe('A raw PromQL range query, instead of role + service.'),
      minutes,
    })
    .refine((v) => (v.role !== undefined && v.service !== undefined) || v.promql !== undefined, {
      message: 'give role and service, or promql',
    }),
  search_logs: z.object({
    service: service.optional(),
    contains: z.string().min(1).max(200).optional().describe('Substring the line must contain.'),
    level: z.enum(['debug', 'info', 'warn', 'error']).optional(),
    minutes,
    limit: z.number().int().min(1).max(100).optional(),
  }),
  list_deploys: z.object({ service: service.optional(), minutes }),
  list_changes: z.object({ service: service.optional(), minutes }),
  get_commit: z.object({
    sha: z.string().regex(/^[0-9a-f]{6,40}$/i, 'expected a commit sha'),
    service: service.optional(),
  }),
  similar_incidents: z.object({
    service: service.optional(),
    text: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(20).optional(),
  }),
  read_runbook: z.object({
    id: z.string().min(1).max(200).optional().describe('Runbook id; omit to list all runbooks.'),
  }),
} as const;

export type QueryToolName = keyof typeof toolInputSchemas;

const evidenceSchema = z.object({
  kind: z.enum(['deploy', 'change', 'metric', 'log', 'past_incident', 'runbook']),
  ref: z
    .string()
    .min(1)
    .max(1000)
    .describe(
      'Exactly as retrieved: a deploy or change id, a series selector, a log line text, a past incident id or a runbook id.',
    ),
  detail: z.string().max(500).default(''),
});

/** What the model submits. Unknown keys (an "action", say) are stripped: the action always comes from the category. */
export const submissionSchema = z.object({
  novel: z.boolean().describe('True when no known category explains the evidence well.'),
  hypotheses: z
    .array(
      z.object({
        category: z.enum(
          CATEGORIES.filter((c) => c !== 'novel') as [
            Exclude<(typeof CATEGORIES)[number], 'novel'>,
            ...Exclude<(typeof CATEGORIES)[number], 'novel'>[],
          ],
        ),
        service: service,
        cause: z
          .string()
          .max(200)
          .nullable()
          .default(null)
          .describe('The deploy id (bad_deploy, memory_leak) or change id (config_change), else null.'),
        confidence: z.number().min(0).max(1),
        summary: z.string().min(1).max(500),
        evidence: z.array(evidenceSchema).min(1).max(12),
      }),
    )
    .max(5),
  anomalies: z.array(z.string().max(300)).max(10).optional().describe('What is anomalous, when novel.'),
});

export type Submission = z.infer<typeof submissionSchema>;

export const SUBMIT_TOOL = 'submit_hypotheses';

const DESCRIPTIONS: Record<QueryToolName, string> = {
  query_metrics:
    'Prometheus range query over the investigation window, by metric role and service or raw PromQL. Returns series with their selectors and sampled points.',
  search_logs: 'Log lines of a service in the window, oldest first, optionally filtered by substring and level.',
  list_deploys: 'Code deploys in the window (id, service, time, sha, author, title, files).',
  list_changes: 'Feature-flag, config, infra and schema changes in the window.',
  get_commit: 'One commit: message and changed files.',
  similar_incidents: 'Past incidents of this organisation similar to the page (by service or text).',
  read_runbook: 'The runbooks: without id, the list (id, title, alerts); with id, its markdown.',
};

/** The tool definitions sent to the model. */
export function buildTools(): ModelTool[] {
  const tools: ModelTool[] = (Object.keys(toolInputSchemas) as QueryToolName[]).map((name) => ({
    name,
    description: DESCRIPTIONS[name],
    inputSchema: jsonSchema(toolInputSchemas[name]),
  }));
  tools.push(submitTool());
  return tools;
}

export function submitTool(): ModelTool {
  return {
    name: SUBMIT_TOOL,
    description:
      'Submit the final ranked hypotheses (most likely first). Every evidence ref must be exactly something retrieved in this investigation. Categories are fixed; actions are not yours to choose.',
    inputSchema: jsonSchema(submissionSchema),
  };
}

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
  return rest;
}

/** What a tool runs against: the (instrumented) sources and the investigation window. */
export interface ToolContext {
  sources: EvidenceSources;
  now: number;
  lookbackMs: number;
  stepMs: number;
}

/** Largest tool result handed back to the model, in characters: bounds the token spend of one call. */
const MAX_RESULT_CHARS = 12_000;

/** Runs one query tool. Returns the text handed back to the model (already quoted as untrusted data), or throws. */
export async function executeTool(
  name: QueryToolName,
  rawInput: unknown,
  ctx: ToolContext,
): Promise<{ text: string; count: number }> {
  const range = (mins?: number): TimeRange => ({
    start: ctx.now - Math.min(mins ? mins * 60_000 : ctx.lookbackMs, Math.max(ctx.lookbackMs, 24 * 3_600_000)),
    end: ctx.now,
    stepMs: ctx.stepMs,
  });
  const { sources } = ctx;
  let payload: unknown;
  let count = 0;
  switch (name) {
    case 'query_metrics': {
      const input = toolInputSchemas.query_metrics.parse(rawInput);
      if (!sources.metrics) throw new Error('no metrics source is configured');
      const series =
        input.role !== undefined && input.service !== undefined
          ? await sources.metrics.queryRole(input.role, input.service, range(input.minutes))
          : await sources.metrics.queryRange(input.promql!, range(input.minutes));
      count = series.length;
      payload = series
        .slice(0, 20)
        .map((s) => ({ selector: seriesSelector(s.metric), points: samplePoints(s.values, 30) }));
      break;
    }
    case 'search_logs': {
      const input = toolInputSchemas.search_logs.parse(rawInput);
      if (!sources.logs) throw new Error('no log source is configured');
      const lines = await sources.logs.search({
        service: input.service,
        contains: input.contains,
        level: input.level,
        range: range(input.minutes),
        limit: input.limit ?? 50,
      });
      count = lines.length;
      payload = lines.map((l) => ({ ts: l.ts, service: l.service, level: l.level, line: l.line }));
      break;
    }
    case 'list_deploys': {
      const input = toolInputSchemas.list_deploys.parse(rawInput);
      if (!sources.changes) throw new Error('no deploy source is configured');
      const deploys = await sources.changes.listDeploys(range(input.minutes), input.service);
      count = deploys.length;
      payload = deploys.map((d) => ({
        id: d.id,
        service: d.service,
        ts: d.ts,
        sha: d.sha,
        author: d.author,
        title: d.title,
        files: d.files,
      }));
      break;
    }
    case 'list_changes': {
      const input = toolInputSchemas.list_changes.parse(rawInput);
      if (!sources.changes) throw new Error('no change source is configured');
      const changes = await sources.changes.listChanges(range(input.minutes), input.service);
      count = changes.length;
      payload = changes.map((c) => ({
        id: c.id,
        kind: c.kind,
        service: c.service,
        ts: c.ts,
        author: c.author,
        summary: c.summary,
      }));
      break;
    }
    case 'get_commit': {
      const input = toolInputSchemas.get_commit.parse(rawInput);
      if (!sources.changes?.getCommit) throw new Error('no commit source is configured');
      const commit = await sources.changes.getCommit(input.sha, input.service);
      count = commit ? 1 : 0;
      payload = commit ?? { notFound: input.sha };
      break;
    }
    case 'similar_incidents': {
      const input = toolInputSchemas.similar_incidents.parse(rawInput);
      if (!sources.history) throw new Error('no incident history is configured');
      const list = await sources.history.similar({ service: input.service, text: input.text, limit: input.limit ?? 5 });
      count = list.length;
      payload = list;
      break;
    }
    case 'read_runbook': {
      const input = toolInputSchemas.read_runbook.parse(rawInput);
      if (!sources.runbooks) throw new Error('no runbooks are configured');
      const list = await sources.runbooks.list();
      if (input.id === undefined) {
        count = list.length;
        payload = list.map((r) => ({ id: r.id, title: r.title, alerts: r.alerts }));
      } else {
        const rb = list.find((r) => r.id === input.id);
        count = rb ? 1 : 0;
        payload = rb ?? { notFound: input.id };
      }
      break;
    }
  }
  let json = JSON.stringify(payload);
  if (json.length > MAX_RESULT_CHARS) json = `${json.slice(0, MAX_RESULT_CHARS)}… (truncated)`;
  return { text: quoteUntrusted(`tool:${name}`, json), count };
}

export function isQueryTool(name: string): name is QueryToolName {
  return Object.hasOwn(toolInputSchemas, name);
}

/** At most `max` points, evenly spaced, always keeping the last one. */
function samplePoints(values: ReadonlyArray<readonly [number, string]>, max: number): Array<[string, string]> {
  const iso = (t: number) => new Date(t * 1000).toISOString().slice(0, 16) + 'Z';
  if (values.length <= max) return values.map(([t, v]) => [iso(t), v]);
  const every = Math.ceil(values.length / max);
  const out: Array<[string, string]> = [];
  for (let i = 0; i < values.length; i += every) out.push([iso(values[i]![0]), values[i]![1]]);
  const last = values[values.length - 1]!;
  if (out[out.length - 1]![0] !== iso(last[0])) out.push([iso(last[0]), last[1]]);
  return out;
}
