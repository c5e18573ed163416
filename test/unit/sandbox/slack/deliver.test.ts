// Delivery of what people do: signed the way Slack signs, and understood by a real Bolt app pointed at the local Slack.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App, LogLevel, verifySlackRequest } from '@slack/bolt';
import { startFakeSlack, RosterIds, type FakeSlack } from '../../../helpers/fake-slack.js';

const quietLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  setLevel() {},
  getLevel: () => LogLevel.ERROR,
  setName() {},
};

describe('signed delivery', () => {
  let slack: FakeSlack;
  let captured: { headers: http.IncomingHttpHeaders; body: string }[];
  let server: http.Server;
  let appUrl: string;

  beforeEach(async () => {
    slack = await startFakeSlack({ signingSecret: 'delivery-secret' });
    captured = [];
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        captured.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    await slack.close();
    await new Promise<void>((r) => server.close(() => r()));
  });

  function verify(secret: string, i = 0): void {
    const c = captured[i]!;
    verifySlackRequest({
      signingSecret: secret,
      body: c.body,
      headers: {
        'x-slack-signature': String(c.headers['x-slack-signature']),
        'x-slack-request-timestamp': Number(c.headers['x-slack-request-timestamp']),
      },
    });
  }

  it('signs a block_actions click so that Bolt verifies it, and Bolt rejects it under another secret', async () => {
    const posted = slack.sandbox.state.addMessage({
      channel: 'C0ALERTS',
      text: 'page',
      user: 'U0COPILOT',
      bot_id: 'B0COPILOT',
      blocks: [
        {
          type: 'actions',
          block_id: 'b1',
          elements: [
            {
              type: 'button',
              action_id: 'incident_acknowledge',
              text: { type: 'plain_text', text: 'Ack' },
              value: 'INC-1',
              style: 'primary',
            },
          ],
        },
      ],
    });
    const result = await slack.act.clickButton(appUrl, {
      user: RosterIds.primary,
      channel: 'C0ALERTS',
      ts: posted.ts,
      actionId: 'incident_acknowledge',
    });
    expect(result.status).toBe(200);
    expect(captured[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(() => verify('delivery-secret')).not.toThrow();
    expect(() => verify('another-secret')).toThrow();
    const payload = JSON.parse(new URLSearchParams(captured[0]!.body).get('payload')!);
    expect(payload).toMatchObject({
      type: 'block_actions',
      user: { id: RosterIds.primary },
      channel: { id: 'C0ALERTS', name: 'alerts' },
      container: { type: 'message', message_ts: posted.ts, channel_id: 'C0ALERTS', is_ephemeral: false },
      actions: [{ type: 'button', action_id: 'incident_acknowledge', block_id: 'b1', value: 'INC-1' }],
      message: { ts: posted.ts, text: 'page' },
    });
    expect(payload.trigger_id).toEqual(expect.any(String));
    expect(payload.response_url).toMatch(new RegExp(`^${slack.url}/sandbox/slack/response/`));
  });

  it('refuses to click a button that is not in the message', async () => {
    const posted = slack.sandbox.state.addMessage({
      channel: 'C0ALERTS',
      text: 'no buttons',
      user: 'U0COPILOT',
      bot_id: 'B0COPILOT',
    });
    await expect(
      slack.act.clickButton(appUrl, { user: RosterIds.primary, channel: 'C0ALERTS', ts: posted.ts, actionId: 'nope' }),
    ).rejects.toThrow(/no element/);
    expect(captured).toHaveLength(0);
  });

  it('sends slash commands as signed form posts with Slack fields', async () => {
    await slack.act.slashCommand(appUrl, {
      user: RosterIds.secondary,
      channel: 'C0ONCALL',
      command: '/oncall',
      text: 'who',
    });
    expect(() => verify('delivery-secret')).not.toThrow();
    const form = new URLSearchParams(captured[0]!.body);
    expect(
      Object.fromEntries(
        ['command', 'text', 'user_id', 'user_name', 'channel_id', 'channel_name', 'team_id'].map((k) => [
          k,
          form.get(k),
        ]),
      ),
    ).toEqual({
      command: '/oncall',
      text: 'who',
      user_id: RosterIds.secondary,
      user_name: 'sam',
      channel_id: 'C0ONCALL',
      channel_name: 'oncall',
      team_id: 'T0SANDBOX',
    });
    expect(form.get('trigger_id')).toBeTruthy();
    expect(form.get('response_url')).toContain('/sandbox/slack/response/');
  });

  it('delivers a message as an Events API event_callback, and a retry with the same event_id', async () => {
    const sent = await slack.act.sendMessage(appUrl, {
      user: RosterIds.primary,
      channel: 'C0GENERAL',
      text: 'hi <@U0COPILOT>',
    });
    // manifest.yml subscribes to message events and app_mention: a mention comes as both, with their own event ids.
    expect(captured).toHaveLength(2);
    const events = captured.map((c) => JSON.parse(c.body));
    expect(events.map((e) => e.event.type)).toEqual(['message', 'app_mention']);
    expect(events[1]).toMatchObject({ event_id: sent.eventIds[1], event: { channel: 'C0GENERAL', ts: sent.ts } });
    expect(events[0]).toMatchObject({
      type: 'event_callback',
      event_id: sent.eventIds[0],
      event: { channel: 'C0GENERAL', user: RosterIds.primary, text: 'hi <@U0COPILOT>', ts: sent.ts },
    });
    await slack.act.redeliverEvent(appUrl, sent.eventIds[0]!, 1);
    expect(captured[2]!.headers['x-slack-retry-num']).toBe('1');
    expect(JSON.parse(captured[2]!.body).event_id).toBe(sent.eventIds[0]);
    expect(() => verify('delivery-secret', 2)).not.toThrow();
  });
});

describe('automatic event retries', () => {
  it('retries a failed event delivery with the same event_id and X-Slack-Retry-Num, stopping once it succeeds', async () => {
    const slack = await startFakeSlack({ eventRetryDelaysMs: [0, 20, 20] });
    const seen: { id: string; retry: string | undefined }[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({
          id: JSON.parse(Buffer.concat(chunks).toString()).event_id,
          retry: req.headers['x-slack-retry-num'] as string | undefined,
        });
        // Fails the first two attempts, then succeeds.
        res.writeHead(seen.length <= 2 ? 500 : 200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const sent = await slack.act.sendMessage(appUrl, {
        user: RosterIds.primary,
        channel: 'C0GENERAL',
        text: 'hello',
      });
      await slack.waitFor(() => seen.length >= 3);
      await new Promise((r) => setTimeout(r, 100));
      expect(seen).toEqual([
        { id: sent.eventIds[0], retry: undefined },
        { id: sent.eventIds[0], retry: '1' },
        { id: sent.eventIds[0], retry: '2' },
      ]);
    } finally {
      await slack.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('a real Bolt app against the local Slack', () => {
  let slack: FakeSlack;
  let app: App;
  let appUrl: string;

  beforeEach(async () => {
    slack = await startFakeSlack();
    app = new App({
      token: slack.botToken,
      signingSecret: slack.signingSecret,
      clientOptions: { slackApiUrl: slack.apiUrl },
      logger: quietLogger,
    });
    app.action('incident_acknowledge', async ({ ack, respond, body }) => {
      await ack();
      await respond({ replace_original: true, text: `Acknowledged by <@${body.user.id}>` });
    });
    app.action('incident_show_evidence', async ({ ack, respond }) => {
      await ack();
      await respond({ text: 'Here is the evidence' });
    });
    app.command('/oncall', async ({ ack }) => {
      await ack('Priya is on call until 09:00');
    });
    app.command('/incident', async ({ ack, client, body }) => {
      await ack();
      await client.views.open({
        trigger_id: body.trigger_id,
        view: {
          type: 'modal',
          callback_id: 'declare',
          title: { type: 'plain_text', text: 'Declare an incident' },
          submit: { type: 'plain_text', text: 'Declare' },
          blocks: [
            {
              type: 'input',
              block_id: 'title',
              label: { type: 'plain_text', text: 'Title' },
              element: { type: 'plain_text_input', action_id: 'value' },
            },
            {
              type: 'input',
              block_id: 'sev',
              label: { type: 'plain_text', text: 'Severity' },
              element: {
                type: 'static_select',
                action_id: 'value',
                options: ['sev1', 'sev2'].map((v) => ({ text: { type: 'plain_text', text: v }, value: v })),
              },
            },
            {
              type: 'input',
              block_id: 'lead',
              optional: true,
              label: { type: 'plain_text', text: 'Lead' },
              element: { type: 'users_select', action_id: 'value' },
            },
          ],
        },
      });
    });
    app.view('declare', async ({ ack, view, client, body }) => {
      const title = view.state.values.title!.value!.value ?? '';
      if (title.length < 5) {
        await ack({ response_action: 'errors', errors: { title: 'Say a little more' } });
        return;
      }
      await ack();
      const sev = view.state.values.sev!.value!.selected_option!.value;
      const lead = view.state.values.lead!.value!.selected_user;
      await client.chat.postMessage({
        channel: 'C0ALERTS',
        text: `${sev}: ${title} declared by <@${body.user.id}>, lead <@${lead}>`,
      });
    });
    const step = (n: number, callback: string) => ({
      type: 'modal' as const,
      callback_id: callback,
      title: { type: 'plain_text' as const, text: `Step ${n}` },
      submit: { type: 'plain_text' as const, text: 'Next' },
      blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: `step ${n}` } }],
    });
    app.command('/handoff', async ({ ack, client, body }) => {
      await ack();
      await client.views.open({ trigger_id: body.trigger_id, view: step(1, 'wizard_1') });
    });
    app.view('wizard_1', async ({ ack }) => {
      await ack({ response_action: 'push', view: step(2, 'wizard_2') });
    });
    app.view('wizard_2', async ({ ack }) => {
      await ack({ response_action: 'update', view: step(3, 'wizard_3') });
    });
    app.view('wizard_3', async ({ ack }) => {
      await ack({ response_action: 'clear' });
    });
    app.message('status', async ({ say }) => {
      await say('All quiet');
    });
    const server = (await app.start(0)) as http.Server;
    appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    await app.stop();
    await slack.close();
  });

  it('replaces the clicked message through response_url', async () => {
    const posted = slack.sandbox.state.addMessage({
      channel: 'C0ALERTS',
      text: 'page',
      user: 'U0COPILOT',
      bot_id: 'B0COPILOT',
      blocks: [
        {
          type: 'actions',
          elements: [{ type: 'button', action_id: 'incident_acknowledge', text: { type: 'plain_text', text: 'Ack' } }],
        },
      ],
    });
    const result = await slack.act.clickButton(appUrl, {
      user: RosterIds.primary,
      channel: 'C0ALERTS',
      ts: posted.ts,
      actionId: 'incident_acknowledge',
    });
    expect(result.status).toBe(200);
    await slack.waitFor(() => slack.lastMessage('C0ALERTS')?.text === `Acknowledged by <@${RosterIds.primary}>`);
    expect(slack.messages('C0ALERTS')).toHaveLength(1);
  });

  it('answers a click on a thread parent in the channel and a click on a reply in the thread, privately', async () => {
    const button = [
      {
        type: 'actions',
        elements: [
          { type: 'button', action_id: 'incident_show_evidence', text: { type: 'plain_text', text: 'Evidence' } },
        ],
      },
    ];
    const parent = slack.sandbox.state.addMessage({
      channel: 'C0ALERTS',
      text: 'briefing',
      user: 'U0COPILOT',
      bot_id: 'B0COPILOT',
      blocks: button,
    });
    const reply = slack.sandbox.state.addMessage({
      channel: 'C0ALERTS',
      text: 'detail',
      user: 'U0COPILOT',
      bot_id: 'B0COPILOT',
      blocks: button,
      thread_ts: parent.ts,
    });
    await slack.act.clickButton(appUrl, {
      user: RosterIds.secondary,
      channel: 'C0ALERTS',
      ts: parent.ts,
      actionId: 'incident_show_evidence',
    });
    await slack.act.clickButton(appUrl, {
      user: RosterIds.secondary,
      channel: 'C0ALERTS',
      ts: reply.ts,
      actionId: 'incident_show_evidence',
    });
    const shown = await slack.waitFor(() =>
      slack.ephemerals(RosterIds.secondary).length === 2 ? slack.ephemerals(RosterIds.secondary) : undefined,
    );
    // The two answers may arrive in either order.
    expect(shown.map((e) => [e.text, e.thread_ts ?? 'channel']).sort()).toEqual(
      [
        ['Here is the evidence', 'channel'],
        ['Here is the evidence', parent.ts],
      ].sort(),
    );
    expect(slack.ephemerals(RosterIds.primary)).toEqual([]);
  });

  it('shows the ack text of a slash command to the person who typed it only', async () => {
    await slack.act.slashCommand(appUrl, {
      user: RosterIds.bystander,
      channel: 'C0ONCALL',
      command: '/oncall',
      text: '',
    });
    expect(slack.ephemerals(RosterIds.bystander).map((e) => e.text)).toEqual(['Priya is on call until 09:00']);
    expect(slack.ephemerals(RosterIds.primary)).toEqual([]);
    expect(slack.messages('C0ONCALL')).toEqual([]);
  });

  it('opens a modal from a slash command, shows errors, and closes it on a good submission', async () => {
    await slack.act.slashCommand(appUrl, {
      user: RosterIds.primary,
      channel: 'C0ALERTS',
      command: '/incident',
      text: '',
    });
    const view = await slack.waitFor(() => slack.views(RosterIds.primary)[0]);
    expect(view.view.callback_id).toBe('declare');

    const blocked = await slack.act.submitView(appUrl, {
      user: RosterIds.primary,
      values: { title: { value: 'Checkout down' } },
    });
    expect(blocked.kind).toBe('view_submission_blocked');
    expect(slack.views(RosterIds.primary)[0]!.errors).toEqual({ sev: 'Please complete this required field.' });

    await slack.act.submitView(appUrl, {
      user: RosterIds.primary,
      values: { title: { value: 'x' }, sev: { value: 'sev1' } },
    });
    expect(slack.views(RosterIds.primary)[0]!.errors).toEqual({ title: 'Say a little more' });

    await slack.act.submitView(appUrl, {
      user: RosterIds.primary,
      values: { title: { value: 'Checkout down' }, sev: { value: 'sev1' }, lead: { value: RosterIds.manager } },
    });
    expect(slack.views(RosterIds.primary)).toEqual([]);
    const msg = await slack.waitFor(() => slack.lastMessage('C0ALERTS'));
    expect(msg.text).toBe(`sev1: Checkout down declared by <@${RosterIds.primary}>, lead <@${RosterIds.manager}>`);
  });

  it('follows response_action push, update and clear on the modal stack', async () => {
    await slack.act.slashCommand(appUrl, { user: RosterIds.primary, channel: 'C0ONCALL', command: '/handoff' });
    const titles = () => slack.views(RosterIds.primary).map((v) => (v.view.title as { text: string }).text);
    await slack.waitFor(() => titles().length === 1);
    await slack.act.submitView(appUrl, { user: RosterIds.primary });
    expect(titles()).toEqual(['Step 1', 'Step 2']);
    await slack.act.submitView(appUrl, { user: RosterIds.primary });
    expect(titles()).toEqual(['Step 1', 'Step 3']);
    await slack.act.submitView(appUrl, { user: RosterIds.primary });
    expect(titles()).toEqual([]);
  });

  it('delivers messages as events that the app answers in the channel', async () => {
    await slack.act.sendMessage(appUrl, { user: RosterIds.secondary, channel: 'C0GENERAL', text: 'status?' });
    const reply = await slack.waitFor(() => slack.messages('C0GENERAL').find((m) => m.bot_id));
    expect(reply.text).toBe('All quiet');
  });

  it('answers the url_verification challenge through Bolt', async () => {
    expect(await slack.act.verifyUrl(appUrl)).toBe(true);
  });

  it('is refused by the app when signed with the wrong secret', async () => {
    const result = await slack
      .deliverTo('not-the-secret')
      .slashCommand(appUrl, { user: RosterIds.primary, channel: 'C0ALERTS', command: '/oncall' });
    expect(result.status).toBe(401);
    expect(slack.ephemerals(RosterIds.primary).map((e) => e.text)).toEqual([
      '/oncall failed with the error "http_service_error"',
    ]);
  });
});
