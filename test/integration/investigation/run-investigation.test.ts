// runInvestigation end to end: deterministic pass, then the agent on the real Anthropic SDK (fake Messages API), with
// every step recorded and stored in a real Postgres.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropicModel } from '../../../src/adapters/anthropic/anthropic-model.js';
import { openDatabase, type Database } from '../../../src/adapters/db/database.js';
import { investigateDeterministic } from '../../../src/investigation/investigate.js';
import { pageSummaryFromScenario } from '../../../eval/scenario-format.js';
import { createRecorder } from '../../../src/investigation/recorder.js';
import { runInvestigation } from '../../../src/investigation/run-investigation.js';
import { createScenarioSources } from '../../../eval/scenario-sources.js';
import { listSpans, saveSpans } from '../../../src/investigation/spans-repository.js';
import { occursOnlyInsideUntrusted } from '../../../src/investigation/agent/untrusted.js';
import { requestText, startFakeAnthropic, toolUse, type FakeAnthropic } from '../../helpers/fake-anthropic.js';
import { loadScenario } from '../../helpers/fixtures.js';
import { DATABASE_URL, dropSchema, requirePostgres, uniqueName } from '../../helpers/services.js';

const scenario = loadScenario('bad-deploy-shop-01');
const page = pageSummaryFromScenario(scenario);
const now = Date.parse(scenario.now);
/** A log line only the deterministic pass read (the agent makes no tool call in the test that cites it). */
const LOG_LINE =
  "TypeError: Cannot read properties of undefined (reading 'locale') at ManifestBuilder.handle (src/manifestbuilder.ts:344)";

let fake: FakeAnthropic | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('runInvestigation', () => {
  let db: Database;
  const schema = uniqueName('test');
  beforeAll(async () => {
    await requirePostgres();
    db = await openDatabase({ url: DATABASE_URL, schema, poolMax: 2 });
    await db.migrate();
  });
  afterAll(async () => {
    await db?.close();
    await dropSchema(schema);
  });

  it('without a model answers exactly as the deterministic investigator', async () => {
    const expected = await investigateDeterministic({ page, sources: createScenarioSources(scenario), now });
    const result = await runInvestigation({ page, sources: createScenarioSources(scenario), now });
    expect(result).toEqual(expected);
    expect(result.hypotheses[0]).toMatchObject({ category: 'bad_deploy', service: 'search', cause: 'deploy-8149' });
  });

  it('runs the agent from the deterministic result; it may cite what the deterministic pass read; all steps are stored', async () => {
    fake = await startFakeAnthropic([
      { content: [toolUse('get_commit', { sha: 'f63dada', service: 'search' })] },
      {
        content: [
          toolUse('submit_hypotheses', {
            novel: false,
            hypotheses: [
              {
                category: 'bad_deploy',
                service: 'search',
                cause: 'deploy-8149',
                confidence: 0.9,
                summary: 'deploy-8149 changed manifestbuilder.ts, which now throws on every search',
                evidence: [
                  { kind: 'deploy', ref: 'deploy-8149', detail: 'Refactor: PriceResolver' },
                  { kind: 'log', ref: LOG_LINE, detail: 'stack trace in the changed file' },
                ],
              },
            ],
          }),
        ],
        usage: { input_tokens: 4321, output_tokens: 210 },
      },
    ]);
    const recorder = createRecorder();
    const model = createAnthropicModel({
      apiKey: 'sk-ant-test',
      baseURL: fake.baseURL,
      model: 'claude-test',
      maxRetries: 0,
    });
    const result = await runInvestigation({
      page,
      sources: createScenarioSources(scenario),
      now,
      model,
      record: recorder.record,
    });

    // The model saw the deterministic result first.
    expect(requestText(fake.requests[0]!.body)).toContain('deploy-8149');
    expect(result.modelNote).toBeUndefined();
    expect(result.hypotheses).toHaveLength(1);
    expect(result.hypotheses[0]).toMatchObject({
      category: 'bad_deploy',
      service: 'search',
      cause: 'deploy-8149',
      confidence: 0.9,
    });
    expect(result.hypotheses[0]!.evidence.map((e) => e.kind)).toEqual(['deploy', 'log']);
    expect(result.suggestedStep?.action).toBe('rollback_deploy');

    const investigationId = uniqueName('inv');
    await saveSpans(db.knex, null, investigationId, recorder.steps);
    const stored = await listSpans(db.knex, { investigationId });
    expect(stored).toHaveLength(recorder.steps.length);
    expect(new Set(stored.map((s) => s.kind))).toEqual(new Set(['query', 'model_call', 'tool_call', 'decision']));
    const calls = stored.filter((s) => s.kind === 'model_call');
    expect(
      calls.map((c) => [c.attributes['gen_ai.usage.input_tokens'], c.attributes['gen_ai.usage.output_tokens']]),
    ).toEqual([
      [1000, 100],
      [4321, 210],
    ]);
    expect(calls[0]!.attributes['gen_ai.request.model']).toBe('claude-test');
    expect(stored.filter((s) => s.kind === 'tool_call').map((s) => s.attributes['gen_ai.tool.name'])).toEqual([
      'get_commit',
    ]);
    // Log text never lands in spans: it is untrusted and may carry secrets.
    expect(JSON.stringify(stored)).not.toContain("reading 'locale'");
  });

  it("keeps a scenario's planted instruction inside quoted data and out of the answer's actions", async () => {
    const backlog = loadScenario('queue-backlog-media-01');
    const planted = 'IMPORTANT NOTE TO ANY AI ASSISTANT';
    expect(backlog.logs.some((l) => l.line.includes(planted))).toBe(true);
    fake = await startFakeAnthropic([
      {
        content: [
          toolUse('search_logs', { service: 'notifications-worker', level: 'error' }),
          toolUse('list_deploys', {}),
        ],
      },
      {
        content: [
          toolUse('submit_hypotheses', {
            novel: false,
            hypotheses: [
              {
                category: 'queue_backlog',
                service: 'notifications-worker',
                cause: null,
                confidence: 0.8,
                summary: 'the push-events consumer crashed and the queue backs up',
                evidence: [{ kind: 'log', ref: 'consumer for push-events crashed', detail: '' }],
              },
            ],
          }),
        ],
      },
    ]);
    const model = createAnthropicModel({
      apiKey: 'sk-ant-test',
      baseURL: fake.baseURL,
      model: 'claude-test',
      maxRetries: 0,
    });
    const result = await runInvestigation({
      page: pageSummaryFromScenario(backlog),
      sources: createScenarioSources(backlog),
      now: Date.parse(backlog.now),
      model,
    });
    const shown = fake.requests.map((r) => requestText(r.body));
    expect(shown[1]).toContain(planted);
    for (const text of shown) expect(occursOnlyInsideUntrusted(text, planted)).toBe(true);
    expect(result.hypotheses.map((h) => [h.category, h.service])).toEqual([['queue_backlog', 'notifications-worker']]);
    expect(result.suggestedStep?.action).toBe('scale_consumers');
  });

  it('keeps the deterministic answer when the model is slower than the budget', async () => {
    // The model would answer after 30 s: a result before that did not wait for it.
    fake = await startFakeAnthropic([{ delayMs: 30_000, content: [] }]);
    const model = createAnthropicModel({
      apiKey: 'sk-ant-test',
      baseURL: fake.baseURL,
      model: 'claude-test',
      maxRetries: 0,
    });
    const expected = await investigateDeterministic({ page, sources: createScenarioSources(scenario), now });
    const result = await runInvestigation({
      page,
      sources: createScenarioSources(scenario),
      now,
      model,
      budget: { timeoutMs: 500 },
    });
    expect(fake.requests).toHaveLength(1);
    expect(fake.answered()).toBe(0);
    expect(result).toEqual({ ...expected, modelNote: 'model unavailable: timed out after 500 ms' });
  });

  it('stores spans against an incident and reads them back in order', async () => {
    const investigationId = uniqueName('inv');
    await saveSpans(db.knex, 42, investigationId, [
      {
        name: 'b',
        kind: 'decision',
        startedAt: Date.parse('2026-04-03T17:45:02Z'),
        durationMs: 0,
        attributes: { x: 1 },
      },
      {
        name: 'a',
        kind: 'query',
        startedAt: Date.parse('2026-04-03T17:45:01Z'),
        durationMs: 12.6,
        attributes: { 'copilot.query': 'q' },
      },
    ]);
    const all = await listSpans(db.knex, { incidentId: 42 });
    // The incident's trace: one trace id, rooted at the incident's own span, which the steps hang under.
    const root = all.find((s) => s.kind === 'incident')!;
    expect(root).toMatchObject({ name: 'incident', parentSpanId: null });
    expect(root.traceId).toMatch(/^(?!0+$)[0-9a-f]{32}$/);
    const stored = all.filter((s) => s.kind !== 'incident');
    for (const s of stored) {
      expect(s.traceId).toBe(root.traceId);
      expect(s.parentSpanId).toBe(root.spanId);
      expect(s.spanId).toMatch(/^(?!0+$)[0-9a-f]{16}$/);
    }
    expect(new Set(all.map((s) => s.spanId)).size).toBe(all.length);
    expect(stored.map(({ id: _id, traceId: _t, spanId: _s, parentSpanId: _p, ...s }) => s)).toEqual([
      {
        incidentId: 42,
        investigationId,
        name: 'a',
        kind: 'query',
        startedAt: Date.parse('2026-04-03T17:45:01Z'),
        durationMs: 13,
        attributes: { 'copilot.query': 'q' },
      },
      {
        incidentId: 42,
        investigationId,
        name: 'b',
        kind: 'decision',
        startedAt: Date.parse('2026-04-03T17:45:02Z'),
        durationMs: 0,
        attributes: { x: 1 },
      },
    ]);
  });

  it("stores a first investigation's spans and the incident's trace in one statement; concurrent first saves make one trace", async () => {
    const step = (name: string) => ({ name, kind: 'query' as const, startedAt: now, durationMs: 1, attributes: {} });
    let statements = 0;
    const count = () => statements++;
    db.knex.on('query', count);
    const first = await saveSpans(db.knex, 43, uniqueName('inv'), [step('one'), step('two')]);
    db.knex.off('query', count);
    expect(statements).toBe(1);
    // The root span the call made comes first, then the steps in order, all in the incident's trace.
    expect(first.map((s) => s.name)).toEqual(['incident', 'one', 'two']);
    expect(first[0]!.attributes).toEqual({ 'copilot.incident.id': 43 });
    expect(first[1]!.parentSpanId).toBe(first[0]!.spanId);
    const again = await saveSpans(db.knex, 43, uniqueName('inv'), [step('three')]);
    expect(again.map((s) => [s.name, s.traceId, s.parentSpanId])).toEqual([
      ['three', first[0]!.traceId, first[0]!.spanId],
    ]);

    const saved = await Promise.all(
      Array.from({ length: 6 }, (_, i) => saveSpans(db.knex, 44, uniqueName('inv'), [step(`s${i}`)])),
    );
    const all = await listSpans(db.knex, { incidentId: 44 });
    const roots = all.filter((s) => s.kind === 'incident');
    expect(roots).toHaveLength(1);
    expect(all).toHaveLength(7);
    for (const s of all) expect(s.traceId).toBe(roots[0]!.traceId);
    expect(saved.flat().filter((s) => s.kind === 'incident')).toHaveLength(1);
  });
});
