// Decision traces exported over OTLP/HTTP: the whole app on the bad-deploy scenario, with OTEL_EXPORTER_OTLP_ENDPOINT
// pointing at a local receiver that decodes what the OpenTelemetry exporter sends. A page is investigated, rolled back
// under an autonomy rule and verified; the receiver holds one trace whose spans form a tree rooted at the incident.
// A collector that answers 500, or none at all, costs the incident nothing: it is handled, and the failure logged once.
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { createWarpClock } from '../../../src/oncall/timers.js';
import { listSpans } from '../../../src/investigation/spans-repository.js';
import { loadScenario } from '../../helpers/fixtures.js';
import { startFakeGithub, type FakeGithub } from '../../helpers/fake-github.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../../helpers/otlp-receiver.js';
import { ROLLBACK_CITED_DEPLOY, sliAfterRollback } from '../../helpers/rollback-alone.js';
import { scenarioRollbackConfig } from '../../helpers/scenario-app.js';
import { startWholeApp, type WholeApp } from '../../helpers/whole-app.js';
import { waitFor } from '../../helpers/wait-for.js';
import { GITHUB_TOKEN } from '../remediation/harness.js';

let whole: WholeApp | undefined;
let github: FakeGithub | undefined;
let receiver: OtlpReceiver | undefined;
afterEach(async () => {
  await whole?.stop();
  await github?.close();
  await receiver?.close();
  whole = github = receiver = undefined;
});

/** A logger whose JSON lines the test reads. */
function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l));
      done();
    },
  });
  return { logger: createLogger({ level: 'info', format: 'json', destination }), lines };
}

/** The bad-deploy world with a rollback the copilot may run alone; its error ratio heals once the rollback is dispatched. */
async function startBadDeployApp(env: Record<string, string>, logger?: ReturnType<typeof createLogger>) {
  const scenario = loadScenario('bad-deploy-shop-01');
  github = await startFakeGithub({ token: GITHUB_TOKEN });
  const clock = createWarpClock(new Date(scenario.now), 1);
  const sources = sliAfterRollback(scenario, clock, github, () => 0.001);
  const config = scenarioRollbackConfig(scenario, {
    autonomy: ROLLBACK_CITED_DEPLOY,
  }) as { actions: Record<string, unknown>[] };
  config.actions = config.actions.map((a) => ({ ...a, verifyWindow: '3s' }));
  whole = await startWholeApp(
    config,
    { REDIS_URL: '', GITHUB_TOKEN, GITHUB_API_URL: github.url, ...env },
    { clock, evidence: sources, ...(logger ? { logger } : {}) },
  );
  const res = await fetch(`${whole.app.url}/webhooks/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(scenario.page.payload),
  });
  expect(res.status).toBeLessThan(300);
  return whole;
}

async function waitMitigated(app: WholeApp['app']) {
  return waitFor(
    'the incident mitigated',
    async () => {
      const row = await app.ctx.knex('incidents').first();
      return row?.status === 'mitigated' ? row : undefined;
    },
    120_000,
  );
}

describe('decision traces over OTLP/HTTP', () => {
  it('exports the incident as one trace: a tree rooted at the incident, with the policy decision and the action', async () => {
    receiver = await startOtlpReceiver();
    const { app } = await startBadDeployApp({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: 'copilot-test',
    });
    const incident = await waitMitigated(app);
    const stored = await waitFor(
      'the verification span stored',
      async () => {
        const spans = await listSpans(app.ctx.knex, { incidentId: incident.id });
        return spans.some((s) => s.kind === 'verification') ? spans : undefined;
      },
      60_000,
    );
    // Everything stored reaches the receiver (batched within a second or so).
    const received = await waitFor(
      'every stored span received',
      () => (receiver!.spans.length >= stored.length ? receiver!.spans : undefined),
      30_000,
    );
    expect(
      receiver.requests.every((r) => r.path === '/v1/traces' && r.contentType.startsWith('application/json')),
    ).toBe(true);
    expect(new Set(received.map((s) => s.spanId)).size).toBe(received.length);
    // The exported ids are the stored ones.
    expect(new Set(received.map((s) => s.spanId))).toEqual(new Set(stored.map((s) => s.spanId)));
    expect(new Set(received.map((s) => s.traceId))).toEqual(new Set([stored[0]!.traceId]));
    expect(received[0]!.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(received[0]!.traceId).not.toMatch(/^0+$/);
    for (const s of received) expect(s.spanId).toMatch(/^(?!0+$)[0-9a-f]{16}$/);
    expect(received.every((s) => s.serviceName === 'copilot-test')).toBe(true);

    // A tree: one root (the incident), every other span's parent received, and every span reaches the root.
    const byId = new Map(received.map((s) => [s.spanId, s]));
    const roots = received.filter((s) => !s.parentSpanId);
    expect(roots.map((r) => [r.name, r.attributes['copilot.incident.id']])).toEqual([['incident', incident.id]]);
    const rootOf = (s: ReceivedSpan): ReceivedSpan => {
      let at = s;
      for (let hops = 0; at.parentSpanId; hops++) {
        expect(hops).toBeLessThan(received.length);
        const parent = byId.get(at.parentSpanId);
        expect(parent, `parent of ${at.name}`).toBeDefined();
        at = parent!;
      }
      return at;
    };
    for (const s of received) expect(rootOf(s)).toBe(roots[0]);

    const parentOf = (s: ReceivedSpan) => byId.get(s.parentSpanId);
    const investigation = received.find((s) => s.name === 'investigation')!;
    expect(parentOf(investigation)).toBe(roots[0]);
    expect(received.some((s) => s.attributes['copilot.span.kind'] === 'query' && parentOf(s) === investigation)).toBe(
      true,
    );
    const hypothesis = received.find((s) => s.attributes['copilot.span.kind'] === 'hypothesis')!;
    expect(hypothesis.attributes['copilot.hypothesis.category']).toBe('bad_deploy');
    expect(parentOf(hypothesis)).toBe(investigation);
    expect(received.some((s) => s.attributes['copilot.span.kind'] === 'finding' && parentOf(s) === hypothesis)).toBe(
      true,
    );

    const decision = received.find((s) => s.name === 'remediation.policy.decide')!;
    expect(decision.attributes).toMatchObject({
      'copilot.policy.allowed': true,
      'copilot.autonomy.rule': 'rollback-cited-deploy',
      'copilot.autonomy.mode': 'auto',
      'copilot.remediation.action': 'rollback_deploy',
    });
    expect(typeof decision.attributes['copilot.policy.rule']).toBe('string');
    expect(parentOf(decision)).toBe(roots[0]);
    const action = received.find((s) => s.name === 'remediation.action')!;
    expect(action.attributes).toMatchObject({
      'copilot.remediation.action': 'rollback_deploy',
      'copilot.action.ok': true,
    });
    expect(parentOf(action)).toBe(decision);
    const verify = received.find((s) => s.name === 'remediation.verify')!;
    expect(verify.attributes['copilot.verification.recovered']).toBe(true);
    expect(parentOf(verify)).toBe(action);
    expect(action.endMs).toBeGreaterThanOrEqual(action.startMs);
  }, 300_000);

  for (const [what, collector] of [
    ['answers 500', 'status500'],
    ['is unreachable', 'down'],
  ] as const)
    it(`handles the incident when the collector ${what}, and logs the failure once`, async () => {
      let endpoint: string;
      if (collector === 'status500') {
        receiver = await startOtlpReceiver({ status: 500 });
        endpoint = receiver.url;
      } else {
        const gone = await startOtlpReceiver();
        endpoint = gone.url;
        await gone.close();
      }
      const { logger, lines } = capturingLogger();
      const { app } = await startBadDeployApp(
        { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_TIMEOUT: '1500' },
        logger,
      );
      const incident = await waitMitigated(app);
      await waitFor(
        'the verification span stored',
        async () =>
          (await listSpans(app.ctx.knex, { incidentId: incident.id })).some((s) => s.kind === 'verification') ||
          undefined,
        60_000,
      );
      // Let a few batches fail (each within its 1.5 s export timeout), then stop: the flush fails too, quietly.
      await waitFor(
        'the export failure logged',
        () => lines.find((l) => l.msg?.toString().startsWith('trace export failed')),
        30_000,
      );
      await new Promise((r) => setTimeout(r, 2500));
      await whole!.app.stop();
      const failures = lines.filter((l) => String(l.msg).startsWith('trace export failed'));
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatchObject({ level: 50, host: new URL(endpoint).host });
      expect(JSON.stringify(failures[0])).not.toMatch(/authorization|header/i);
      if (receiver) expect(receiver.requests.length).toBeGreaterThan(0);
    }, 300_000);
});
