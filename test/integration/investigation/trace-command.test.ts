// `incident-copilot trace INC-N` over a real (PGlite) database: an incident's spans stored the way the app stores
// them (an investigation with its queries and hypotheses, a policy decision, the action under it, its verification)
// print as an indented tree with timings, or as JSON; an unknown incident is a clear error with exit 1.
import { describe, expect, it } from 'vitest';
import { findSpanId, listSpans, saveSpans } from '../../../src/investigation/spans-repository.js';
import { investigationTraceSteps } from '../../../src/investigation/trace-spans.js';
import { runTraceCommand } from '../../../src/investigation/trace-command.js';
import { usePGlite } from '../../helpers/pglite.js';

const pg = usePGlite();
const T0 = Date.parse('2026-11-30T03:00:00Z');

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runTraceCommand(pg.db.knex, args, { stdout: (s) => out.push(s), stderr: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function seedIncident(): Promise<number> {
  const knex = pg.db.knex;
  const [row] = (await knex('incidents')
    .insert({
      public_id: 'INC-7',
      title: 'search 5xx\u001b[31m above 5%',
      severity: 'sev2',
      service: 'search',
      team: 'catalog',
      source: 'alertmanager',
      opened_at: new Date(T0),
      updated_at: new Date(T0),
    })
    .returning(['id'])) as { id: number }[];
  const id = row!.id;
  await saveSpans(
    knex,
    id,
    'inv-1',
    investigationTraceSteps({
      steps: [
        {
          name: 'metrics.query_role',
          kind: 'query',
          startedAt: T0 + 1_000,
          durationMs: 40,
          attributes: { 'copilot.query': 'error_ratio{service="search"}', 'copilot.result.count': 1 },
        },
        {
          name: 'changes.list_deploys',
          kind: 'query',
          startedAt: T0 + 1_050,
          durationMs: 12,
          attributes: { 'copilot.query': 'search', 'copilot.result.count': 1 },
        },
      ],
      result: {
        novel: false,
        hypotheses: [
          {
            category: 'bad_deploy',
            service: 'search',
            cause: 'deploy-8149',
            confidence: 0.86,
            summary: 'Deploy deploy-8149 preceded the 5xx rise',
            evidence: [
              { kind: 'deploy', ref: 'deploy-8149', detail: 'search v2' },
              { kind: 'log', ref: 'password=hunter2 in a log line', detail: 'a log line' },
            ],
          },
        ],
        suggestedStep: null,
      },
      startedAt: T0 + 900,
      endedAt: T0 + 1_200,
      trigger: 'opened',
    }),
  );
  await saveSpans(knex, id, 'remediation-run-1', [
    {
      name: 'remediation.policy.decide',
      kind: 'decision',
      startedAt: T0 + 2_000,
      durationMs: 3,
      attributes: { 'copilot.policy.rule': 'autonomy_auto', 'copilot.policy.allowed': true },
    },
  ]);
  const decision = await findSpanId(knex, 'remediation-run-1', 'remediation.policy.decide');
  await saveSpans(knex, id, 'remediation-run-1', [
    {
      name: 'remediation.action',
      kind: 'action',
      startedAt: T0 + 2_100,
      durationMs: 250,
      parentSpanId: decision!,
      attributes: { 'copilot.remediation.action': 'rollback_deploy', 'copilot.action.ok': true },
    },
  ]);
  return id;
}

describe('incident-copilot trace', () => {
  it('prints the decision tree with timings, and the same tree as JSON', async () => {
    const id = await seedIncident();
    const stored = await listSpans(pg.db.knex, { incidentId: id });
    // One trace, W3C ids, one root (the incident's span).
    expect(new Set(stored.map((s) => s.traceId)).size).toBe(1);
    expect(stored[0]!.traceId).toMatch(/^(?!0+$)[0-9a-f]{32}$/);
    expect(stored.filter((s) => s.parentSpanId === null).map((s) => s.kind)).toEqual(['incident']);

    const text = await run(['INC-7']);
    expect(text).toMatchObject({ code: 0, err: '' });
    const lines = text.out.split('\n');
    expect(lines[0]).toBe('INC-7 search 5xx [31m above 5%');
    const tree = lines.slice(3);
    expect(tree[0]).toMatch(/^incident incident {2}INC-7 {2}\+0 ms · 0 ms$/);
    const indexOf = (re: RegExp) => tree.findIndex((l) => re.test(l));
    const depth = (i: number) => tree[i]!.match(/^ */)![0].length / 2;
    const inv = indexOf(/^ {2}investigation investigation/);
    const query = indexOf(
      /query metrics.query_role {2}error_ratio\{service="search"\} results=1 {2}\+1\.0 s|query metrics.query_role {2}error_ratio\{service="search"\} results=1 {2}\+1000 ms · 40 ms/,
    );
    const hypothesis = indexOf(
      /hypothesis hypothesis bad_deploy {2}bad_deploy service=search cause=deploy-8149 confidence=0\.86/,
    );
    const finding = indexOf(/finding finding deploy {2}deploy deploy-8149/);
    const decision = indexOf(
      /decision remediation\.policy\.decide {2}rule=autonomy_auto allowed=true {2}\+2000 ms · 3 ms/,
    );
    const action = indexOf(/action remediation\.action {2}rollback_deploy ok=true {2}\+2100 ms · 250 ms/);
    expect([inv, query, hypothesis, finding, decision, action].every((i) => i >= 0)).toBe(true);
    expect([depth(inv), depth(query), depth(hypothesis), depth(finding), depth(decision), depth(action)]).toEqual([
      1, 2, 2, 3, 1, 2,
    ]);
    // A log line cited as evidence is untrusted and may carry secrets: the trace names only its kind.
    expect(text.out).toContain('finding finding log  log');
    expect(text.out).not.toContain('hunter2');

    const json = await run(['inc-7', '--json']);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.out) as {
      incident: string;
      traceId: string;
      roots: Array<{
        kind: string;
        children: Array<{ kind: string; name: string; children: Array<{ kind: string }> }>;
      }>;
    };
    expect(parsed.incident).toBe('INC-7');
    expect(parsed.traceId).toBe(stored[0]!.traceId);
    expect(parsed.roots.map((r) => r.kind)).toEqual(['incident']);
    expect(parsed.roots[0]!.children.map((c) => c.kind)).toEqual(['investigation', 'decision']);
    expect(parsed.roots[0]!.children[1]!.children.map((c) => c.kind)).toEqual(['action']);
  });

  it('says when the incident does not exist (exit 1) and refuses bad arguments (exit 2)', async () => {
    expect(await run(['INC-404'])).toEqual({ code: 1, out: '', err: 'trace: no incident INC-404' });
    expect((await run([])).code).toBe(2);
    expect((await run(['INC-1', 'INC-2'])).code).toBe(2);
    const bad = await run(["1' or '1'='1"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('expected an incident id such as INC-12');
  });
});
