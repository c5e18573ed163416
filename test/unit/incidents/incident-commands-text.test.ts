// The pure parts of /incident update, catchup, role and timeline: parsing, the drafted update, the Markdown timeline,
// the topic with roles and the escaping of what people and alerts wrote.
import { describe, expect, it } from 'vitest';
import { buildCatchupMrkdwn } from '../../../blocks/catchup.js';
import { buildRoleAnnouncement } from '../../../blocks/roles.js';
import { buildTopic } from '../../../blocks/status.js';
import { buildStatusUpdateMessage, buildStatusUpdateModal } from '../../../blocks/status-update.js';
import { buildCatchupView } from '../../../src/incidents/catchup.js';
import type { Incident } from '../../../src/incidents/repository.js';
import { draftStatusUpdate } from '../../../src/incidents/status-update.js';
import { timelineMarkdown } from '../../../src/incidents/timeline-export.js';
import { parseFileConfig } from '../../../src/config.js';
import { parseIncidentCommand } from '../../../src/oncall/command-parsing.js';

const OPENED = new Date('2026-11-24T10:00:00Z');
const NOW = new Date('2026-11-24T10:42:00Z');
const incident: Incident = {
  id: 7,
  publicId: 'INC-7',
  title: 'Checkout 5xx <!channel>',
  severity: 'sev1',
  service: 'checkout',
  team: 'payments',
  status: 'acknowledged',
  source: 'manual',
  groupKey: null,
  externalId: null,
  commander: 'U0PRIMARY',
  responders: [],
  channelId: 'C0INC7',
  channelName: 'inc-7-checkout',
  briefingTs: '1.1',
  investigation: {
    novel: false,
    hypotheses: [
      {
        category: 'bad_deploy',
        service: 'checkout',
        cause: 'd-42',
        confidence: 0.86,
        summary: 'Deploy d-42 `rm` <@U1>',
        evidence: [],
      },
      { category: 'db_saturation', service: 'db', cause: null, confidence: 0.3, summary: 'DB slow', evidence: [] },
    ],
    suggestedStep: null,
  },
  page: null,
  briefingState: null,
  chatProgress: {},
  openedAt: OPENED,
  acknowledgedAt: OPENED,
  resolvedAt: null,
  version: 1,
};

describe('parseIncidentCommand: the incident-time subcommands', () => {
  it.each([
    ['update', { kind: 'update' }],
    ['CATCHUP', { kind: 'catchup' }],
    ['timeline', { kind: 'timeline' }],
    ['reinvestigate', { kind: 'reinvestigate' }],
    ['role Scribe <@U0SAM|sam>', { kind: 'role', role: 'scribe', user: 'U0SAM' }],
  ])('%s', (text, command) => {
    expect(parseIncidentCommand(text)).toEqual({ ok: true, command });
  });
  it.each([
    ['update now', '`update` takes no arguments'],
    ['role scribe', '`role` takes a role name and one @mention, e.g. `/incident role scribe @user`'],
    ['role <@U0SAM>', '`role` takes a role name and one @mention, e.g. `/incident role scribe @user`'],
    ['role scribe sam', '`role` takes a role name and one @mention, e.g. `/incident role scribe @user`'],
  ])('%s is refused: %s', (text, error) => {
    const r = parseIncidentCommand(text);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toBe(error);
  });
});

describe('config: incident roles, update interval and stakeholder channel', () => {
  it('defaults to commander, scribe, communications and 30 minutes', () => {
    const c = parseFileConfig({});
    expect(c.incidents.roles).toEqual(['commander', 'scribe', 'communications']);
    expect(c.incidents.updateEvery).toBe(30 * 60_000);
  });
  it('reads roles, updateEvery as a duration and a service stakeholder channel', () => {
    const c = parseFileConfig({
      incidents: { roles: ['commander', 'liaison'], updateEvery: '1h' },
      services: [{ name: 'checkout', stakeholderChannel: 'C0STAKE' }],
    });
    expect(c.incidents.roles).toEqual(['commander', 'liaison']);
    expect(c.incidents.updateEvery).toBe(3_600_000);
    expect(c.services[0]!.stakeholderChannel).toBe('C0STAKE');
  });
  it('refuses a channel name where an id is expected, and a role listed twice', () => {
    expect(() => parseFileConfig({ services: [{ name: 'checkout', stakeholderChannel: '#status' }] })).toThrow(
      /Slack channel id/,
    );
    expect(() => parseFileConfig({ incidents: { roles: ['scribe', 'scribe'] } })).toThrow(/once each/);
  });
});

describe('draftStatusUpdate', () => {
  it('says what is known, the impact, what is being done and when the next update comes', () => {
    const draft = draftStatusUpdate({
      incident,
      roles: [{ role: 'scribe', user: 'U0SAM' }],
      runs: [{ action: 'rollback_deploy', service: 'checkout', status: 'running' }],
      stakeholderChannel: null,
      now: NOW,
      nextUpdateMs: 30 * 60_000,
      zone: 'UTC',
    });
    expect(draft.split('\n')).toEqual([
      'Investigating: Checkout 5xx <!channel>',
      'What we know: Most likely cause: Deploy d-42 `rm` <@U1> (86% confidence). 1 other lead being checked.',
      'Impact: checkout is affected since 10:00 UTC (42 min), SEV1.',
      'What we are doing: rollback deploy on checkout: in progress. (commander <@U0PRIMARY>, scribe <@U0SAM>)',
      'Next update: by 11:12 UTC.',
    ]);
  });
  it("names the runbook's next step with its placeholders filled, as the briefing shows it", () => {
    const draft = draftStatusUpdate({
      incident: {
        ...incident,
        investigation: {
          ...incident.investigation!,
          suggestedStep: {
            runbook: 'rb-errors',
            step: 2,
            text: 'Roll back: `deployctl rollback <service>`',
            action: 'rollback_deploy',
          },
        },
      },
      roles: [],
      runs: [],
      stakeholderChannel: null,
      now: NOW,
      nextUpdateMs: 30 * 60_000,
      zone: 'UTC',
    });
    expect(draft).toContain('Next step from the runbook: Roll back: `deployctl rollback checkout`');
  });
  it("gives its times in the team's zone", () => {
    const draft = draftStatusUpdate({
      incident,
      roles: [],
      runs: [],
      stakeholderChannel: null,
      now: NOW,
      nextUpdateMs: 30 * 60_000,
      zone: 'Europe/Berlin',
    });
    expect(draft).toContain('since 11:00 GMT+1 (42 min)');
    expect(draft).toContain('Next update: by 12:12 GMT+1.');
  });
  it('without a diagnosis says the cause is not known yet', () => {
    const draft = draftStatusUpdate({
      incident: { ...incident, investigation: null, acknowledgedAt: null, commander: null },
      roles: [],
      runs: [],
      stakeholderChannel: null,
      zone: 'UTC',
      now: NOW,
      nextUpdateMs: 15 * 60_000,
    });
    expect(draft).toContain('What we know: The cause is not known yet; the investigation is running.');
    expect(draft).toContain('What we are doing: Paging the on-call.');
  });
});

describe('the posted update and the modal', () => {
  it('escapes broadcasts and links in what was written, keeping user mentions', () => {
    const m = buildStatusUpdateMessage({
      publicId: 'INC-7',
      by: 'U0PRIMARY',
      text: 'Rolling back <!channel> <https://evil.example|click> <@U0SAM>',
      nextUpdateAt: new Date('2026-11-24T11:12:00Z'),
      incidentChannel: 'C0INC7',
    });
    expect(m.text).toContain('&lt;!channel&gt; &lt;https://evil.example|click&gt; <@U0SAM>');
    expect(m.text).toContain('(<#C0INC7>) from <@U0PRIMARY>');
    expect(m.text).toContain('Next update by 11:12 UTC.');
  });
  it("says the next update's time once: the form's choice, not the draft's own line", () => {
    const m = buildStatusUpdateMessage({
      publicId: 'INC-7',
      by: 'U0PRIMARY',
      text: 'Investigating: Checkout 5xx\nNext update: by 10:45 UTC.',
      nextUpdateAt: new Date('2026-11-24T11:12:00Z'),
    });
    expect(m.text).not.toContain('10:45');
    expect(m.text.match(/Next update/g)).toHaveLength(1);
    expect(m.text).toContain('Next update by 11:12 UTC.');
  });
  it('preselects the configured wait even when it is not a standard choice', () => {
    const modal = buildStatusUpdateModal({
      incidentId: 7,
      publicId: 'INC-7',
      channelId: 'C0INC7',
      draft: 'x',
      nextUpdateMs: 45 * 60_000,
      stakeholderChannel: null,
    });
    const next = modal.blocks[1] as { element: { initial_option: { value: string }; options: { value: string }[] } };
    expect(next.element.initial_option.value).toBe('45');
    expect(next.element.options.map((o) => o.value)).toEqual(['15', '30', '45', '60', '120', '240']);
  });
});

describe('roles in the topic and the announcement', () => {
  it('names each role holder before the title, and only Slack ids become mentions', () => {
    expect(
      buildTopic({
        ...incident,
        roles: [
          { role: 'commander', user: 'U0PRIMARY' },
          { role: 'scribe', user: '<!here>' },
        ],
      }),
    ).toBe('INC-7 | SEV1 | acknowledged | commander <@U0PRIMARY> | Checkout 5xx &lt;!channel&gt;');
    expect(buildTopic(incident)).toBe('INC-7 | SEV1 | acknowledged | Checkout 5xx &lt;!channel&gt;');
  });
  it('says who gave the role', () => {
    expect(buildRoleAnnouncement({ publicId: 'INC-7', role: 'scribe', user: 'U0SAM', by: 'U0PRIMARY' })).toBe(
      ':busts_in_silhouette: <@U0SAM> is now the scribe of INC-7 (given by <@U0PRIMARY>).',
    );
  });
});

describe('timeline Markdown and catch-up', () => {
  const events = [
    {
      id: 1,
      incidentId: 7,
      at: OPENED,
      type: 'incident.opened',
      actor: 'U0PRIMARY',
      data: { title: 'Checkout 5xx\n# fake heading' },
    },
    {
      id: 2,
      incidentId: 7,
      at: new Date('2026-11-24T10:05:00Z'),
      type: 'incident.role_assigned',
      actor: 'U0PRIMARY',
      data: { role: 'scribe', user: 'U0SAM' },
    },
    {
      id: 3,
      incidentId: 7,
      at: new Date('2026-11-24T10:06:00Z'),
      type: 'alert.received',
      actor: 'alertmanager',
      data: { alertname: 'High`Error`Rate' },
    },
  ];
  it('writes one bullet per event, untrusted text on one line in a code span', () => {
    const md = timelineMarkdown(incident, events, [{ role: 'commander', user: 'U0PRIMARY' }], NOW);
    expect(md).toContain('# INC-7: Checkout 5xx <!channel>\n');
    expect(md).toContain('- Roles: commander U0PRIMARY\n');
    expect(md).toContain('- 2026-11-24 10:00 UTC: incident opened by U0PRIMARY: `Checkout 5xx # fake heading`\n');
    expect(md).toContain('- 2026-11-24 10:05 UTC: incident role assigned by U0PRIMARY: `scribe: U0SAM`\n');
    expect(md).toContain("alert received by alertmanager: `High'Error'Rate`");
  });
  it('catch-up quotes the title and hypotheses and lists who holds each role', () => {
    const view = buildCatchupView(incident, events, [], [{ role: 'scribe', user: 'U0SAM' }], NOW);
    const text = buildCatchupMrkdwn(view);
    expect(text).toContain('*Catch-up on INC-7:* `Checkout 5xx &lt;!channel&gt;`');
    expect(text).toContain('1. `Deploy d-42 ˋrmˋ &lt;@U1&gt;` (86%)');
    expect(text).toContain('• commander: <@U0PRIMARY>\n• scribe: <@U0SAM>');
    // The alert repeat is not a key moment; the opening and the role are.
    expect(text).toContain('10:05 UTC incident role assigned by <@U0PRIMARY>: `scribe: U0SAM`');
    expect(text).not.toContain('alert received');
  });
});
