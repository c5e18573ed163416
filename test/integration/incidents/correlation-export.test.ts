// A page that joins an open incident (storm correlation) is a `correlation.join` decision span, exported to the
// collector only once the ingest transaction that stored it has committed: exported inside it, a rollback would leave
// the collector holding a decision the database does not have.
import { afterAll, describe, expect, it } from 'vitest';
import type { StoredSpan } from '../../../src/investigation/spans-repository.js';
import { makeAlertmanagerPayload } from '../../helpers/factories.js';
import { waitFor } from '../../helpers/wait-for.js';
import { paymentsTeamConfig, startWholeApp, type WholeApp } from '../../helpers/whole-app.js';

const config = paymentsTeamConfig({
  services: [
    { name: 'orders-db', team: 'payments', kind: 'database' },
    { name: 'payments', team: 'payments', dependsOn: ['orders-db'] },
  ],
  actions: [],
});

function page(service: string, alertname: string): string {
  return JSON.stringify(
    makeAlertmanagerPayload({
      groupKey: `{}:{alertname="${alertname}", service="${service}"}`,
      alerts: [
        {
          status: 'firing',
          labels: { alertname, service, severity: 'critical', team: 'payments' },
          annotations: { summary: `${alertname} on ${service}` },
          startsAt: '2026-11-30T03:59:00.000Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://prometheus.prod.internal:9090/graph',
          fingerprint: `${service}-${alertname}`,
        },
      ],
    }),
  );
}

let whole: WholeApp | undefined;
afterAll(async () => {
  await whole?.stop();
});

describe('the correlation.join span', () => {
  it('is exported after the ingest transaction committed, never inside it', { timeout: 90_000 }, async () => {
    whole = await startWholeApp(config);
    const { ctx } = whole.app;
    // Which transaction stored the join, and whether it had committed when the span was exported: knex reports each
    // statement with its transaction's id, BEGIN and COMMIT included.
    const committed = new Set<string>();
    let joinTx: string | undefined;
    ctx.knex.on('query', (q: { sql?: string; bindings?: unknown[]; __knexTxId?: string }) => {
      if (!q.__knexTxId || !q.sql) return;
      if (/^commit/i.test(q.sql.trim())) committed.add(q.__knexTxId);
      // The spans go in as one statement whose rows are a JSON binding (src/investigation/spans-repository.ts).
      const names = (q.bindings ?? []).some((b) => typeof b === 'string' && b.includes('"correlation.join"'));
      if (/insert into "?investigation_spans"?/i.test(q.sql) && names) joinTx = q.__knexTxId;
    });
    const exported: Array<{ names: string[]; inside: boolean }> = [];
    ctx.services.traces = {
      export(spans: readonly StoredSpan[]) {
        const names = spans.map((s) => s.name);
        exported.push({ names, inside: names.includes('correlation.join') && !(joinTx && committed.has(joinTx)) });
      },
    };
    const post = async (body: string) => {
      const r = await fetch(`${whole!.app.url}/webhooks/alertmanager`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(r.status).toBe(202);
    };

    await post(page('orders-db', 'DbConnectionsHigh'));
    await waitFor('the incident', async () => ctx.knex('incidents').first(), 20_000);
    await post(page('payments', 'PaymentsErrors'));
    const join = await waitFor(
      'the join exported',
      async () => exported.find((e) => e.names.includes('correlation.join')),
      20_000,
    );
    expect(join.inside).toBe(false);
    // It is the page's join, stored with the incident.
    expect(await ctx.knex('investigation_spans').where({ name: 'correlation.join' })).toHaveLength(1);
    expect(Number((await ctx.knex('incidents').count({ n: '*' }).first())!.n)).toBe(1);
  });
});
