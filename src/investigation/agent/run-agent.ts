// The investigation agent: a bounded tool-use loop on a LanguageModel that refines the deterministic result.
import type { Logger } from '../../logger.js';
import { ACTION_FOR_CATEGORY, type Runbook } from '../evidence-model.js';
import type {
  EvidenceSources,
  Hypothesis,
  InvestigationResult,
  PageSummary,
  StepRecorder,
  SuggestedStep,
} from '../ports.js';
import { chooseStep } from '../runbook-steps.js';
import { ATTR, errorMessage, errorType, recordDecision, truncate, withSpan } from '../recorder.js';
import type { EvidenceLedger } from './evidence-ledger.js';
import type { LanguageModel, ModelContent, ModelMessage, ModelResponse } from './language-model.js';
import { SYSTEM_PROMPT, buildFirstMessage } from './prompt.js';
import { quoteUntrusted } from './untrusted.js';
import {
  SUBMIT_TOOL,
  buildTools,
  executeTool,
  isQueryTool,
  submissionSchema,
  submitTool,
  type Submission,
} from './tools.js';

/** Limits of one agent run (config `file.investigation`). */
export interface AgentBudget {
  /** Query tool calls the model may make. */
  maxToolCalls: number;
  /** Wall-clock limit of the whole run, milliseconds. */
  timeoutMs: number;
  /** Input plus output tokens over all model calls. */
  maxTokens: number;
}

export const DEFAULT_AGENT_BUDGET: AgentBudget = { maxToolCalls: 8, timeoutMs: 60_000, maxTokens: 60_000 };

/** One agent run: the page, the deterministic result it starts from, and what it may use. */
export interface AgentInput {
  page: PageSummary;
  /** Sources already instrumented so that what they return lands in `ledger`. */
  sources: EvidenceSources;
  ledger: EvidenceLedger;
  deterministic: InvestigationResult;
  model: LanguageModel;
  now: number;
  budget?: Partial<AgentBudget>;
  /** The investigation window: how far back tools look, and the step of metric queries. */
  window?: { lookbackMs: number; stepMs: number };
  record?: StepRecorder;
  logger?: Logger;
}

/** Categories whose `cause` names a deploy or a change, which must itself have been retrieved. */
const CAUSE_KIND: Partial<Record<Hypothesis['category'], 'deploy' | 'change'>> = {
  bad_deploy: 'deploy',
  memory_leak: 'deploy',
  config_change: 'change',
};

/** Largest reply of one model call, tokens. */
const MAX_TOKENS_PER_CALL = 4096;

class Stop extends Error {}

const formatMs = (ms: number) => (ms < 10_000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`);

/**
 * Runs the agent from the deterministic result. Never throws: on error, timeout or an unusable answer the deterministic
 * result stands, with `modelNote` saying why. The actions in the answer come from ACTION_FOR_CATEGORY only.
 */
export async function runAgent(input: AgentInput): Promise<InvestigationResult> {
  const budget = { ...DEFAULT_AGENT_BUDGET, ...input.budget };
  const { model, record, ledger, deterministic } = input;
  const window = input.window ?? { lookbackMs: 3 * 3_600_000, stepMs: 60_000 };
  // The deterministic pass's citations count as retrieved (its sources may not have been instrumented).
  for (const h of deterministic.hypotheses) for (const e of h.evidence) ledger.add(e.kind, e.ref);

  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(new Stop(`timed out after ${formatMs(budget.timeoutMs)}`)),
    budget.timeoutMs,
  );
  const aborted = new Promise<never>((_, reject) => {
    deadline.signal.addEventListener('abort', () => reject(deadline.signal.reason as Stop), { once: true });
  });
  aborted.catch(() => {});
  const fallback = (why: string): InvestigationResult => {
    recordDecision(record, 'agent.fallback', { [ATTR.dropReason]: why });
    input.logger?.warn({ reason: why }, 'investigation agent did not contribute; the deterministic result stands');
    return { ...deterministic, modelNote: `model unavailable: ${why}` };
  };

  let tokens = 0;
  let toolCalls = 0;
  try {
    const services = await Promise.race([input.sources.graph.services(), aborted]);
    const messages: ModelMessage[] = [
      {
        role: 'user',
        content: [
          {
            type: 'text',
            text: buildFirstMessage({
              page: input.page,
              deterministic,
              services,
              now: input.now,
              lookbackMs: window.lookbackMs,
            }),
          },
        ],
      },
    ];
    const allTools = buildTools();
    let nudged = false;
    for (let turn = 0; turn < budget.maxToolCalls + 4; turn++) {
      if (tokens >= budget.maxTokens) return fallback(`token budget of ${budget.maxTokens} spent without an answer`);
      const mustSubmit = toolCalls >= budget.maxToolCalls || tokens >= budget.maxTokens * 0.75 || nudged;
      const maxTokens = Math.max(256, Math.min(MAX_TOKENS_PER_CALL, budget.maxTokens - tokens));
      const response = await callModel(
        model,
        { messages, mustSubmit, maxTokens, allTools },
        deadline.signal,
        aborted,
        record,
      );
      tokens += response.usage.inputTokens + response.usage.outputTokens;
      // The Messages API refuses an empty assistant turn in the history, so an empty reply is kept as a placeholder.
      messages.push({
        role: 'assistant',
        content: response.content.length ? response.content : [{ type: 'text', text: '(no reply)' }],
      });
      const uses = response.content.filter(
        (c): c is Extract<ModelContent, { type: 'tool_use' }> => c.type === 'tool_use',
      );

      const submit = uses.find((u) => u.name === SUBMIT_TOOL);
      if (submit) {
        const parsed = submissionSchema.safeParse(submit.input);
        if (parsed.success) return await assemble(input, parsed.data, aborted);
        const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
        recordDecision(record, 'agent.submission_rejected', {
          [ATTR.toolCallId]: submit.id,
          [ATTR.dropReason]: truncate(problems, 500),
        });
        messages.push({
          role: 'user',
          content: uses.map((u) => ({
            type: 'tool_result' as const,
            toolUseId: u.id,
            content:
              u === submit
                ? `Invalid submission: ${problems}. Call ${SUBMIT_TOOL} again with a valid input.`
                : 'Not run: submit first.',
            isError: true,
          })),
        });
        nudged = true;
        continue;
      }
      if (uses.length === 0) {
        if (nudged) return fallback('the model gave no hypotheses');
        nudged = true;
        messages.push({
          role: 'user',
          content: [{ type: 'text', text: `Call ${SUBMIT_TOOL} now with your ranked hypotheses.` }],
        });
        continue;
      }
      const results: ModelContent[] = [];
      for (const use of uses) {
        if (!isQueryTool(use.name)) {
          results.push({ type: 'tool_result', toolUseId: use.id, content: `Unknown tool ${use.name}.`, isError: true });
          continue;
        }
        if (toolCalls >= budget.maxToolCalls) {
          results.push({
            type: 'tool_result',
            toolUseId: use.id,
            content: `Tool budget spent. Call ${SUBMIT_TOOL} now.`,
            isError: true,
          });
          continue;
        }
        toolCalls++;
        const name = use.name;
        try {
          const out = await withSpan(
            record,
            `execute_tool ${name}`,
            'tool_call',
            {
              [ATTR.operationName]: 'execute_tool',
              [ATTR.toolName]: name,
              [ATTR.toolCallId]: use.id,
              [ATTR.toolType]: 'function',
            },
            () =>
              Promise.race([
                executeTool(name, use.input, { sources: input.sources, now: input.now, ...window }),
                aborted,
              ]),
            (r) => ({ [ATTR.resultCount]: r.count }),
          );
          results.push({ type: 'tool_result', toolUseId: use.id, content: out.text });
        } catch (err) {
          if (deadline.signal.aborted) throw deadline.signal.reason;
          // Vendor error text can echo outside data (a query, a line), so it is quoted like any tool output.
          results.push({
            type: 'tool_result',
            toolUseId: use.id,
            content: `Tool failed: ${quoteUntrusted('tool_error', truncate(errorMessage(err), 300))}`,
            isError: true,
          });
        }
      }
      messages.push({ role: 'user', content: results });
    }
    return fallback('no hypotheses submitted within the turn limit');
  } catch (err) {
    if (deadline.signal.aborted) return fallback(errorMessage(deadline.signal.reason));
    return fallback(truncate(errorMessage(err), 200));
  } finally {
    clearTimeout(timer);
    recordDecision(record, 'agent.budget', { 'copilot.agent.tool_calls': toolCalls, 'copilot.agent.tokens': tokens });
  }
}

async function callModel(
  model: LanguageModel,
  req: { messages: ModelMessage[]; mustSubmit: boolean; maxTokens: number; allTools: ReturnType<typeof buildTools> },
  signal: AbortSignal,
  aborted: Promise<never>,
  record: StepRecorder | undefined,
): Promise<ModelResponse> {
  return withSpan(
    record,
    `chat ${model.model}`,
    'model_call',
    {
      [ATTR.operationName]: 'chat',
      [ATTR.providerName]: model.provider,
      [ATTR.requestModel]: model.model,
      [ATTR.requestMaxTokens]: req.maxTokens,
    },
    () =>
      Promise.race([
        model.complete(
          {
            system: SYSTEM_PROMPT,
            // A copy: the caller keeps appending to its list after this call returns.
            messages: [...req.messages],
            tools: req.mustSubmit ? [submitTool()] : req.allTools,
            forceTool: req.mustSubmit ? SUBMIT_TOOL : undefined,
            maxTokens: req.maxTokens,
          },
          { signal },
        ),
        aborted,
      ]),
    (r) => ({
      [ATTR.responseModel]: r.model,
      ...(r.id ? { [ATTR.responseId]: r.id } : {}),
      [ATTR.finishReasons]: [r.stopReason],
      [ATTR.inputTokens]: r.usage.inputTokens,
      [ATTR.outputTokens]: r.usage.outputTokens,
    }),
  );
}

/** Keeps the hypotheses whose evidence (and cause) was retrieved, and derives the suggested step from the category. */
async function assemble(
  input: AgentInput,
  submission: Submission,
  aborted: Promise<never>,
): Promise<InvestigationResult> {
  const { ledger, record, deterministic } = input;
  const services = new Set((await Promise.race([input.sources.graph.services(), aborted])).map((s) => s.name));
  const kept: Hypothesis[] = [];
  let dropped = 0;
  for (const h of submission.hypotheses) {
    const reason =
      (services.size > 0 && !services.has(h.service) ? `unknown service "${h.service}"` : undefined) ??
      h.evidence.map((e) => ledger.check(e)).find((r) => r !== undefined) ??
      causeProblem(h, ledger);
    if (reason) {
      dropped++;
      recordDecision(record, 'agent.drop_hypothesis', {
        [ATTR.hypothesisCategory]: h.category,
        [ATTR.hypothesisService]: h.service,
        [ATTR.dropReason]: reason,
      });
      continue;
    }
    const causeKind = CAUSE_KIND[h.category];
    kept.push({
      category: h.category,
      service: h.service,
      cause: causeKind
        ? h.cause
        : h.cause && (ledger.has('deploy', h.cause) || ledger.has('change', h.cause))
          ? h.cause
          : null,
      confidence: h.confidence,
      summary: h.summary,
      evidence: h.evidence.map((e) => ({ kind: e.kind, ref: e.ref.trim(), detail: e.detail })),
    });
  }
  kept.sort((a, b) => b.confidence - a.confidence);

  if (kept.length === 0 && !submission.novel) {
    return {
      ...deterministic,
      modelNote: `model hypotheses dropped: ${dropped} of ${submission.hypotheses.length} cited evidence not retrieved in this investigation`,
    };
  }
  const novel = submission.novel && (kept.length === 0 || kept[0]!.confidence < 0.5);
  const result: InvestigationResult = {
    ...deterministic,
    novel,
    hypotheses: kept,
    suggestedStep: await suggestStep(input, novel ? null : kept[0]!, aborted),
  };
  if (novel) {
    const anomalies = [...(deterministic.anomalies ?? []), ...(submission.anomalies ?? [])];
    result.anomalies = anomalies.length ? anomalies : ['the model found no known cause for the page'];
  }
  delete result.modelNote;
  recordDecision(record, 'agent.result', {
    'copilot.result.novel': novel,
    'copilot.result.hypotheses': kept.map((h) => `${h.category}:${h.service}:${h.confidence}`),
    'copilot.result.dropped': dropped,
  });
  return result;
}

function causeProblem(h: Submission['hypotheses'][number], ledger: EvidenceLedger): string | undefined {
  const kind = CAUSE_KIND[h.category];
  if (!kind) return undefined;
  if (!h.cause) return `${h.category} needs the ${kind} id as cause`;
  return ledger.has(kind, h.cause)
    ? undefined
    : `cause ${kind} "${truncate(h.cause, 80)}" was not retrieved in this investigation`;
}

/** The runbook step for the top hypothesis's category (escalate when novel); the action is never the model's text. */
async function suggestStep(
  input: AgentInput,
  top: Hypothesis | null,
  aborted: Promise<never>,
): Promise<SuggestedStep | null> {
  const action = ACTION_FOR_CATEGORY[top ? top.category : 'novel'];
  const det = input.deterministic.suggestedStep;
  if (det && det.action === action) return det;
  let runbooks: Runbook[] = [];
  try {
    if (input.sources.runbooks) runbooks = await Promise.race([input.sources.runbooks.list(), aborted]);
  } catch (err) {
    if (err instanceof Stop) throw err;
    input.logger?.warn({ err: errorType(err) }, 'runbooks unavailable for the suggested step');
  }
  return chooseStep(runbooks, action, input.page.alertname, undefined, input.page.annotations?.runbook_url);
}
