// Evals from the local workspace: its world lives only inside `npm start`, so `export-scenario` on the command line
// cannot read it; the running workspace exports a resolved incident itself (GET .../INC-N/scenario.json, linked from
// the incident's page), and `investigate --scenario` on that file gives the incident's top hypothesis.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exportIncident } from '../../../eval/incident-commands.js';
import { resolveIncident } from '../../../src/incidents/transitions.js';
import { runCli } from '../../helpers/spawn-app.js';
import { startTestWorkspace } from '../../helpers/local-workspace.js';
import { waitFor } from '../../helpers/wait-for.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('a local workspace incident exported as a scenario', () => {
  it(
    'is served by the running workspace once resolved, and investigate --scenario reproduces its top hypothesis',
    {
      timeout: 180_000,
    },
    async () => {
      // As src/cli.ts's `start` passes the exporter.
      const { app, clock, trigger } = await startTestWorkspace(cleanups, { exportScenario: exportIncident });
      const { knex } = app.ctx;
      const scenarioOf = (id: string) => fetch(`${app.url}/sandbox/console/api/incidents/${id}/scenario.json`);

      await trigger('bad-deploy-search');
      const world = (await (await fetch(`${app.url}/sandbox/api/world`)).json()) as {
        faults: Array<{ kind: string; cause: string | null }>;
      };
      const culprit = world.faults.find((f) => f.kind === 'bad_deploy')!.cause!;
      const investigated = await waitFor(
        'the investigation',
        async () => {
          const row = await knex('incidents').orderBy('id').first();
          return row?.investigation?.hypotheses?.length ? row : undefined;
        },
        60_000,
      );
      const top = investigated.investigation.hypotheses[0] as { category: string; service: string; cause: string };
      expect(top).toMatchObject({ category: 'bad_deploy', service: 'search' });

      // Open, it cannot be exported yet (no confirmed root cause); an unknown or malformed id neither.
      const early = await scenarioOf(investigated.public_id);
      expect(early.status).toBe(409);
      expect(((await early.json()) as { error: string }).error).toContain('no confirmed root cause');
      expect((await scenarioOf('INC-999')).status).toBe(404);
      expect((await scenarioOf('not-an-id')).status).toBe(400);

      // The copilot rolls the deploy back alone; the on-call resolves it, confirming the root cause.
      await waitFor(
        'the rollback run',
        async () =>
          (await knex('remediation_runs').where({ incident_id: investigated.id, action: 'rollback_deploy' }).first())
            ?.status === 'succeeded',
        60_000,
      );
      clock.advance(3 * 60_000);
      await waitFor(
        'the incident mitigated',
        async () => (await knex('incidents').where({ id: investigated.id }).first()).status === 'mitigated',
        60_000,
      );
      await resolveIncident(
        app.ctx,
        investigated.id,
        { id: 'U0PRIMARY', via: 'modal' },
        { category: 'bad_deploy', service: 'search', cause: culprit },
      );
      await waitFor(
        'the outcome recorded',
        async () => knex('incident_outcomes').where({ incident_id: investigated.id }).first(),
        30_000,
      );

      // The incident's page links the export.
      const page = (await (
        await fetch(`${app.url}/sandbox/console/api/incidents/${investigated.public_id}`)
      ).json()) as { html: string };
      expect(page.html).toContain(
        `href="/sandbox/console/api/incidents/${investigated.public_id}/scenario.json" download="${investigated.public_id.toLowerCase()}.json"`,
      );

      const res = await scenarioOf(investigated.public_id);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toBe(
        `attachment; filename="${investigated.public_id.toLowerCase()}.json"`,
      );
      const text = await res.text();
      const scenario = JSON.parse(text) as {
        truth: unknown;
        services: unknown[];
        metrics: unknown[];
        deploys: Array<{ id: string }>;
        atTheTime: { top1: boolean };
      };
      expect(scenario.truth).toEqual({
        category: 'bad_deploy',
        service: 'search',
        cause: culprit,
        action: 'rollback_deploy',
      });
      expect(scenario.atTheTime.top1).toBe(true);
      expect(scenario.services.length).toBeGreaterThan(5);
      expect(scenario.metrics.length).toBeGreaterThan(0);
      expect(scenario.deploys.map((d) => d.id)).toContain(culprit);

      // What a user does with the downloaded file: the command line investigates it and says what the copilot said.
      const dir = mkdtempSync(path.join(os.tmpdir(), 'copilot-export-file-'));
      cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
      const file = path.join(dir, `${investigated.public_id.toLowerCase()}.json`);
      writeFileSync(file, text);
      const r = await runCli(['investigate', '--scenario', file, '--json'], {}, 90_000);
      expect(r.code, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as { hypotheses: unknown[] }).hypotheses[0]).toMatchObject({
        category: top.category,
        service: top.service,
        cause: top.cause,
      });
    },
  );
});
