// The copilot measures itself, through the whole app: the resolve form offers the top hypothesis as the root cause,
// the submitted cause scores every hypothesis and classifies the incident, /metrics counts it, /copilot stats shows
// it to anyone; the weekly summary is posted by its timer on the product's clock, once, across restarts.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runInvestigateCommand } from '../../../eval/commands.js';
import {
  replayIncidents,
  runCalibrateFromIncidents,
  runExportScenarioCommand,
} from '../../../eval/incident-commands.js';
import { ResolveFields } from '../../../blocks/modals.js';
import { createScenarioSources } from '../../../eval/scenario-sources.js';
import { createWarpClock } from '../../../src/oncall/timers.js';
import { declareIncident, resolveWithRootCause } from '../../../src/oncall/incident-commands.js';
import { loadScenario } from '../../helpers/fixtures.js';
import { RosterIds } from '../../helpers/fake-slack.js';
import { scenarioRollbackConfig, startScenarioApp } from '../../helpers/scenario-app.js';
import { waitFor } from '../../helpers/wait-for.js';
import { ephemeralAnswer, startWholeApp, type WholeApp } from '../../helpers/whole-app.js';

let whole: WholeApp | undefined;
afterEach(async () => {
  await whole?.stop();
  whole = undefined;
});

const scenario = loadScenario('bad-deploy-shop-01');
const cliIo = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) };
};

describe('the resolve form scores the copilot, and the figures show it', () => {
  it('confirmed cause pre-filled from the top hypothesis -> scores stored -> /metrics -> /copilot stats', async () => {
    // Priya is on call for every team of the world, so she may resolve whichever service was paged.
    const teams = [...new Set(scenario.services.map((s) => s.team).filter((t): t is string => !!t))];
    whole = await startScenarioApp(
      scenario,
      scenarioRollbackConfig(scenario, {
        teams: teams.map((name) => ({ name, alertsChannel: 'C0ALERTS', schedule: 'catalog-primary' })),
      }),
    );
    const { app, slack } = whole;
    const knex = app.ctx.knex;
    const page = await fetch(`${app.url}/webhooks/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(scenario.page.payload),
    });
    expect(page.status).toBeLessThan(300);
    const incident = await waitFor(
      'the investigated incident with its channel',
      () => knex('incidents').whereNotNull('investigation').whereNotNull('channel_id').first(),
      60_000,
    );
    const top = incident.investigation.hypotheses[0];
    expect(top).toMatchObject({ category: 'bad_deploy', service: 'search', cause: 'deploy-8149' });

    // The on-call resolves: the form comes with the top hypothesis as the answer.
    await slack.act.slashCommand(app.url, {
      command: '/incident',
      text: 'resolve',
      user: RosterIds.primary,
      channel: incident.channel_id,
    });
    const modal = await slack
      .waitFor(() => slack.views(RosterIds.primary).at(-1), { message: 'no resolve modal' })
      .catch((e: unknown) => {
        throw new Error(`${String(e)} ${JSON.stringify(slack.ephemerals(RosterIds.primary))}`);
      });
    const shown = JSON.stringify(modal.view.blocks);
    expect(shown).toContain('"initial_option":{"text":{"type":"plain_text","text":"bad deploy"},"value":"bad_deploy"}');
    expect(shown).toContain('"initial_value":"search"');
    expect(shown).toContain('"initial_value":"deploy-8149"');
    // People confirm it as offered, typing only the summary.
    await slack.act.submitView(app.url, {
      user: RosterIds.primary,
      values: { [ResolveFields.summary]: { [ResolveFields.summary]: 'Rolled back deploy-8149 by hand' } },
    });

    const outcome = await waitFor(
      'the incident outcome',
      () => knex('incident_outcomes').where({ incident_id: incident.id }).first(),
      30_000,
    );
    expect(outcome).toMatchObject({
      class: 'humans',
      category: 'bad_deploy',
      service: 'search',
      cause: 'deploy-8149',
      predicted: 'bad_deploy',
      top1: true,
      top3: true,
    });
    const scores = await knex('hypothesis_outcomes').where({ incident_id: incident.id }).orderBy('rank');
    expect(scores).toHaveLength(incident.investigation.hypotheses.length);
    expect(scores[0]).toMatchObject({ rank: 1, category: 'bad_deploy', category_right: true, service_right: true });
    // Every hypothesis keeps its score: right when it named the confirmed category, on the confirmed service or not.
    for (const [i, h] of (incident.investigation.hypotheses as Array<{ category: string; service: string }>).entries())
      expect(scores[i]).toMatchObject({
        rank: i + 1,
        category: h.category,
        category_right: h.category === 'bad_deploy',
        service_right: h.service === 'search',
      });

    // The counters follow the scores' commit (a listener of the resolve): wait for them, then check them all.
    const metrics = await waitFor('the resolve counted in /metrics', async () => {
      const text = await (await fetch(`${app.url}/metrics`)).text();
      return text.includes('copilot_incidents_resolved_total{class="humans",category="bad_deploy"}') && text;
    });
    expect(metrics).toContain('copilot_incidents_resolved_total{class="humans",category="bad_deploy"} 1');
    expect(metrics).toContain('copilot_top_hypothesis_total{category="bad_deploy",result="right"} 1');
    expect(metrics).toMatch(/copilot_time_to_mitigate_seconds_count\{class="humans",category="bad_deploy"\} 1/);

    // Anyone in the workspace may read the figures (Ben has no role); the answer is private to him.
    const answer = await ephemeralAnswer(slack, RosterIds.bystander, () =>
      slack.act.slashCommand(app.url, {
        command: '/copilot',
        text: 'stats 7d',
        user: RosterIds.bystander,
        channel: 'C0GENERAL',
      }),
    );
    expect(answer).toContain('1 incident resolved in the last 7 days');
    expect(answer).toContain('0% mitigated by the copilot alone');
    expect(answer).toContain('top hypothesis right 1 of 1 (100%)');
    const blocks = JSON.stringify(slack.ephemerals(RosterIds.bystander).at(-1)?.blocks ?? []);
    expect(blocks).toContain('bad deploy: 1 (alone 0, approved 0, humans 1)');
    expect(blocks).toContain(incident.public_id);

    // A window that is not one is refused with what is expected, and nothing else happens.
    const refused = await ephemeralAnswer(slack, RosterIds.bystander, () =>
      slack.act.slashCommand(app.url, {
        command: '/copilot',
        text: 'stats forever',
        user: RosterIds.bystander,
        channel: 'C0GENERAL',
      }),
    );
    expect(refused).toContain('like `24h`, `7d` or `2w`');

    // Evals from production: the incident exported as a scenario reproduces its top hypothesis when investigated.
    const deps = { knex, sources: createScenarioSources(scenario) };
    const dir = mkdtempSync(path.join(os.tmpdir(), 'export-'));
    try {
      const file = path.join(dir, 'inc.json');
      const o = cliIo();
      expect(await runExportScenarioCommand([incident.public_id, '--out', file], o, deps)).toBe(0);
      const exported = JSON.parse(readFileSync(file, 'utf8'));
      expect(exported.truth).toEqual({
        category: 'bad_deploy',
        service: 'search',
        cause: 'deploy-8149',
        action: 'rollback_deploy',
      });
      expect(exported.atTheTime.top1).toBe(true);
      expect(exported.atTheTime.hypotheses[0]).toMatchObject({ category: 'bad_deploy', service: 'search' });
      const answer = cliIo();
      expect(await runInvestigateCommand(['--scenario', file, '--json'], answer)).toBe(0);
      expect(JSON.parse(answer.out.join('')).hypotheses[0]).toMatchObject({
        category: top.category,
        service: top.service,
        cause: top.cause,
      });
      // eval --incidents replays every scored incident of the database: right then, right now.
      const replays = await replayIncidents(deps, cliIo());
      expect(replays).toMatchObject([{ id: `incident-${incident.public_id.toLowerCase()}`, then: true, now: true }]);
      // One outcome is too few to refit the calibration: refused, nothing stored, the engine keeps its weights.
      const cal = cliIo();
      expect(await runCalibrateFromIncidents(knex, cal, new Date())).toBe(1);
      expect(cal.err.join('')).toContain('not enough scored incidents to refit');
      expect(Number((await knex('calibration_fits').count({ n: '*' }))[0]?.n)).toBe(0);
      // Sources that read nothing (the local workspace's world from the CLI): refused, nothing written.
      const empty = { ...scenario, services: [], metrics: [], logs: [], deploys: [], changes: [], runbooks: [] };
      const nothing = cliIo();
      const emptyFile = path.join(dir, 'empty.json');
      expect(
        await runExportScenarioCommand([incident.public_id, '--out', emptyFile], nothing, {
          knex,
          sources: createScenarioSources(empty),
        }),
      ).toBe(1);
      expect(nothing.err.join('')).toContain('the evidence sources gave no valid scenario, nothing written');
      // It points to where such an incident can be exported: from the running local workspace.
      expect(nothing.err.join('')).toContain(
        `"Export as a scenario") or GET <workspace URL>/sandbox/console/api/incidents/${incident.public_id}/scenario.json`,
      );
      expect(existsSync(emptyFile)).toBe(false);
      // An unresolved or unknown incident cannot be exported, and says why.
      const bad = cliIo();
      expect(await runExportScenarioCommand(['INC-999'], bad, deps)).toBe(1);
      expect(bad.err.join('')).toContain('no incident INC-999');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('the weekly summary', () => {
  it('is posted by its timer at its slot in the team zone with the week’s figures, once, across restarts', async () => {
    // The slot: five minutes after the scenario's now, at whole minutes, in UTC; the clock runs ten times real time.
    const now = new Date(scenario.now);
    const slot = new Date(Math.ceil((now.getTime() + 5 * 60_000) / 60_000) * 60_000);
    const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][slot.getUTCDay()]!;
    const at = `${day} ${slot.toISOString().slice(11, 16)}`;
    const clock = createWarpClock(now, 10);
    const config = scenarioRollbackConfig(scenario, {
      copilot: { summaryChannel: 'C0ONCALL', summaryAt: at, summaryTimeZone: 'UTC' },
    });
    whole = await startWholeApp(config, { REDIS_URL: '' }, { clock, evidence: createScenarioSources(scenario) });
    const ctx = whole.app.ctx;
    const declared = await declareIncident(ctx, {
      title: 'Search is slow',
      service: 'search',
      severity: 'sev2',
      by: RosterIds.primary,
    });
    await resolveWithRootCause(
      ctx,
      declared.id,
      { category: 'db_saturation', service: 'search-db', cause: null, summary: 'Connections ran out' },
      { id: RosterIds.primary, via: 'modal' },
    );
    await waitFor(
      'the outcome',
      () => ctx.knex('incident_outcomes').where({ incident_id: declared.id }).first(),
      20_000,
    );
    expect(clock.now().getTime()).toBeLessThan(slot.getTime());
    // A deploy before the slot: the timer armed by the first process is kept by the next.
    await whole.restart();
    const posted = () => whole!.slack.messages('C0ONCALL').filter((m) => m.text.startsWith('The copilot this week'));
    const summary = await waitFor('the weekly summary', () => posted()[0], 60_000);
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(slot.getTime());
    expect(summary.text).toContain('1 incident resolved in the last 7 days');
    const blocks = JSON.stringify(summary.blocks);
    expect(blocks).toContain('db saturation: 1 (alone 0, approved 0, humans 1)');
    expect(blocks).toContain('Slowest incidents');
    expect(blocks).toContain(declared.publicId);
    // Another deploy after it: the slot is not posted again, and the next week's is armed.
    await whole.restart();
    await new Promise((r) => setTimeout(r, 3000));
    expect(posted()).toHaveLength(1);
    const rows = await whole.app.ctx.knex('copilot_summaries').select('slot');
    expect(rows.map((r: { slot: string }) => r.slot)).toEqual([slot.toISOString()]);
    const next = new Date(slot.getTime() + 7 * 86_400_000).toISOString();
    expect(await whole.app.ctx.queue.get(`copilot-summary:${next}`)).toBeDefined();
  }, 180_000);
});
