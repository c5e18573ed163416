// A page from a generated production world (metrics, deploys, logs): the briefing is updated in place with ranked
// hypotheses citing evidence, the next step and buttons, and a PNG chart of the key metric lands in the thread.
import { afterEach, describe, expect, it } from 'vitest';
import { ActionIds } from '../../../blocks/ids.js';
import { generateScenario } from '../../../eval/generator/generate-scenarios.js';
import { pageSummaryFromScenario } from '../../../eval/scenario-format.js';
import { createScenarioSources } from '../../../eval/scenario-sources.js';
import { signPagerDuty } from '../../helpers/pagerduty-signing.js';
import { PD_SECRET, post, startLoop, waitFor, type Loop } from './harness.js';

let l: Loop | undefined;
afterEach(async () => {
  await l?.stop({ drop: true });
  l = undefined;
});

describe('investigated briefing', () => {
  it('shows the bad deploy as the top hypothesis with its evidence and posts a chart around the onset', async () => {
    const scenario = generateScenario(7, 'bad_deploy');
    const now = new Date(scenario.now);
    const pagedService = pageSummaryFromScenario(scenario).service!;
    l = await startLoop({
      fileConfig: {
        services: scenario.services.map((s) => ({ name: s.name, kind: s.kind, dependsOn: s.dependsOn })),
        slos: [{ name: 'paged-availability', service: pagedService, objective: 0.999 }],
      },
      evidence: createScenarioSources(scenario),
      clock: { now: () => now },
    });
    const body = JSON.stringify(scenario.page.payload);
    const res =
      scenario.page.source === 'alertmanager'
        ? await post(l.url, '/webhooks/alertmanager', body)
        : await post(l.url, '/webhooks/pagerduty', body, { 'x-pagerduty-signature': signPagerDuty(body, PD_SECRET) });
    expect(res.status).toBe(202);

    // Under load the investigation can finish before the channel and its briefing exist: wait for both.
    const inc = await waitFor(
      'the investigation and the briefing',
      () => l!.ctx.knex('incidents').whereNotNull('investigation').whereNotNull('briefing_ts').first(),
      15_000,
    );
    expect(inc.investigation.hypotheses[0].category).toBe('bad_deploy');
    const briefing = await waitFor('the updated briefing', () => {
      const m = l!.slack.state.messages.get(inc.channel_id)?.find((x) => x.ts === inc.briefing_ts);
      return m && JSON.stringify(m.blocks).includes(ActionIds.showEvidence) ? m : undefined;
    });
    const text = JSON.stringify(briefing.blocks);
    const top = inc.investigation.hypotheses[0];
    expect(text).toContain(`(${Math.round(top.confidence * 100)}%, bad deploy)`);
    expect(text).toContain(`_deploy_ \`${top.evidence.find((e: { kind: string }) => e.kind === 'deploy').ref}\``);
    if (inc.investigation.suggestedStep) expect(text).toContain('*Next step*');

    const chart = await waitFor('the chart in the thread', () =>
      [...l!.slack.state.files.values()].find(
        (f) => f.mimetype === 'image/png' && f.title.includes('around the onset'),
      ),
    );
    const png = l.slack.state.fileContents.get(chart.id)!;
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    const threadFiles = l.slack.state.messages
      .get(inc.channel_id)!
      .filter((m) => m.thread_ts === inc.briefing_ts && m.files?.includes(chart.id));
    expect(threadFiles).toHaveLength(1);
    // The onset marker is the investigation's change point, which precedes the alert's start (its rule's `for:`).
    const posted = await l.ctx.knex('incident_events').where({ incident_id: inc.id, type: 'chart.posted' }).first();
    expect(inc.investigation.onset).toEqual(expect.any(Number));
    expect(posted.data.onset).toBe(new Date(inc.investigation.onset).toISOString());
    const alert = await l.ctx.knex('alerts').where({ incident_id: inc.id }).orderBy('starts_at').first();
    if (alert) expect(inc.investigation.onset).toBeLessThanOrEqual(new Date(alert.starts_at).getTime());
    // The suspect deploy is marked on the chart next to the onset.
    expect(posted.data.markers).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^onset: onset \d\d:\d\d$/),
        expect.stringMatching(/^deploy: deploy /),
      ]),
    );

    // The paged service has an SLO: its burn chart follows in the same thread, once, the budget in its title.
    const slo = await waitFor('the SLO burn chart', () =>
      [...l!.slack.state.files.values()].find((f) => f.title.includes('SLO paged-availability')),
    );
    expect(slo.title).toMatch(new RegExp(`^${inc.public_id}: SLO paged-availability \\(${pagedService}\\): `));
    expect(l.slack.state.fileContents.get(slo.id)!.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect(
      l.slack.state.messages
        .get(inc.channel_id)!
        .filter((m) => m.thread_ts === inc.briefing_ts && m.files?.includes(slo.id)),
    ).toHaveLength(1);
  });
});
