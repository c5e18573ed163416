// The local workspace: the console's page and API acting as people against a real Bolt app, and state that survives a restart.
import http from 'node:http';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App, LogLevel } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import pino from 'pino';
import { createLocalWorkspace, type LocalWorkspace } from '../../../../sandbox/slack/local-workspace.js';
import { RosterIds } from '../../../../sandbox/slack/roster.js';
import { FILES_DIR } from '../../../../sandbox/slack/workspace-state.js';

const logger = pino({ level: 'silent' });
const quietLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  setLevel() {},
  getLevel: () => LogLevel.ERROR,
  setName() {},
};

async function serve(router: express.Router): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.use(router);
  const server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

interface ConsoleState {
  me: { id: string };
  channels: { id: string; name: string; kind: string }[];
  messagesHtml: string;
  modalHtml: string;
}

describe('local workspace console', () => {
  let workspace: LocalWorkspace;
  let consoleServer: { url: string; close(): Promise<void> };
  let bolt: App;
  let appUrl = '';

  beforeEach(async () => {
    workspace = await createLocalWorkspace({ appBaseUrl: () => appUrl, logger, rateLimit: { enabled: false } });
    consoleServer = await serve(workspace.router);
    bolt = new App({
      token: workspace.botToken,
      signingSecret: workspace.signingSecret,
      clientOptions: { slackApiUrl: workspace.apiUrl() },
      logger: quietLogger,
    });
    bolt.command('/oncall', async ({ ack }) => {
      await ack('Priya is on call');
    });
    bolt.action('incident_acknowledge', async ({ ack, respond, body }) => {
      await ack();
      await respond({ replace_original: true, text: `Acknowledged by <@${body.user.id}>` });
    });
    const server = (await bolt.start(0)) as http.Server;
    appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    await bolt.stop();
    await consoleServer.close();
    await workspace.close();
  });

  const getState = async (as: string, channel = 'C0ALERTS'): Promise<ConsoleState> =>
    (await (
      await fetch(`${consoleServer.url}/sandbox/console/api/state?as=${as}&channel=${channel}`)
    ).json()) as ConsoleState;
  const post = async (p: string, body: unknown) =>
    (
      await fetch(`${consoleServer.url}${p}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      })
    ).json() as Promise<{ ok: boolean; error?: string }>;

  it('serves the console page and its script', async () => {
    const page = await fetch(`${consoleServer.url}/`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('<script type="module" src="/sandbox/console/static/app.js"></script>');
    const js = await fetch(`${consoleServer.url}/sandbox/console/static/app.js`);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${consoleServer.url}/sandbox/console/static/..%2Fconsole-router.ts`)).status).toBe(404);
    // The browser's favicon request on every page load is answered without an error.
    expect((await fetch(`${consoleServer.url}/favicon.ico`)).status).toBe(204);
  });

  it('runs a slash command typed in the message box and shows the answer only to who typed it', async () => {
    expect(
      (await post('/sandbox/console/api/send', { as: RosterIds.secondary, channel: 'C0ALERTS', text: '/oncall' })).ok,
    ).toBe(true);
    expect((await getState(RosterIds.secondary)).messagesHtml).toContain('Priya is on call');
    expect((await getState(RosterIds.secondary)).messagesHtml).toContain('Only visible to you');
    expect((await getState(RosterIds.primary)).messagesHtml).not.toContain('Priya is on call');
  });

  it('renders the bot message with its button and delivers the click to the app', async () => {
    const client = new WebClient(workspace.botToken, { slackApiUrl: workspace.apiUrl() });
    const posted = await client.chat.postMessage({
      channel: 'C0ALERTS',
      text: 'INC-1 <script>x</script>',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: '*INC-1* checkout 5xx &lt;script&gt;' } },
        {
          type: 'actions',
          elements: [
            {
              type: 'button',
              action_id: 'incident_acknowledge',
              style: 'primary',
              text: { type: 'plain_text', text: 'Acknowledge' },
            },
          ],
        },
      ],
    });
    const before = await getState(RosterIds.primary);
    expect(before.messagesHtml).toContain('<b>INC-1</b> checkout 5xx &lt;script&gt;');
    expect(before.messagesHtml).toContain('data-action-id="incident_acknowledge"');
    expect(before.messagesHtml).not.toContain('<script');
    expect(
      (
        await post('/sandbox/console/api/click', {
          as: RosterIds.primary,
          channel: 'C0ALERTS',
          ts: posted.ts,
          actionId: 'incident_acknowledge',
        })
      ).ok,
    ).toBe(true);
    for (let i = 0; i < 100 && !workspace.state.message('C0ALERTS', posted.ts!)?.text.startsWith('Acknowledged'); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(workspace.state.message('C0ALERTS', posted.ts!)?.text).toBe(`Acknowledged by <@${RosterIds.primary}>`);
    expect((await getState(RosterIds.primary)).messagesHtml).toContain(
      'Acknowledged by <span class="mention">@Priya</span>',
    );
  });

  it('lists incident channels apart from team channels, and DMs only for their person', async () => {
    const client = new WebClient(workspace.botToken, { slackApiUrl: workspace.apiUrl() });
    await client.conversations.create({ name: 'inc-2-payments' });
    const dm = await client.conversations.open({ users: RosterIds.primary });
    const priya = await getState(RosterIds.primary);
    expect(priya.channels.find((c) => c.name === 'inc-2-payments')?.kind).toBe('incident');
    expect(priya.channels.find((c) => c.name === 'alerts')?.kind).toBe('team');
    expect(priya.channels.some((c) => c.id === dm.channel?.id && c.kind === 'dm')).toBe(true);
    expect((await getState(RosterIds.bystander)).channels.some((c) => c.id === dm.channel?.id)).toBe(false);
  });

  it('streams changes to the page as server-sent events', async () => {
    const ac = new AbortController();
    const res = await fetch(`${consoleServer.url}/sandbox/console/api/events`, { signal: ac.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    await reader.read(); // the retry line
    const client = new WebClient(workspace.botToken, { slackApiUrl: workspace.apiUrl() });
    await client.chat.postMessage({ channel: 'C0ONCALL', text: 'handoff' });
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toContain('"kind":"message","channel":"C0ONCALL"');
    ac.abort();
  });
});

describe('local workspace persistence', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sandbox-ws-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps channels, messages and files across a restart', async () => {
    const first = await createLocalWorkspace({ dataDir: dir, appBaseUrl: () => 'http://127.0.0.1:1', logger });
    const c1 = new WebClient(first.botToken, { slackApiUrl: first.apiUrl() });
    const created = await c1.conversations.create({ name: 'inc-3-search' });
    await c1.chat.postMessage({ channel: created.channel!.id!, text: 'briefing' });
    await c1.filesUploadV2({ channel_id: created.channel!.id!, file: Buffer.from('png-bytes'), filename: 'chart.png' });
    await first.close();

    const second = await createLocalWorkspace({ dataDir: dir, appBaseUrl: () => 'http://127.0.0.1:1', logger });
    try {
      const c2 = new WebClient(second.botToken, { slackApiUrl: second.apiUrl() });
      const info = await c2.conversations.info({ channel: created.channel!.id! });
      expect(info.channel?.name).toBe('inc-3-search');
      const history = await c2.conversations.history({ channel: created.channel!.id! });
      expect(history.messages!.map((m) => m.text).reverse()).toEqual(['briefing', '']);
      const file = history.messages![0]!.files![0]!;
      expect(Buffer.from(await (await fetch(file.url_private!)).arrayBuffer()).toString()).toBe('png-bytes');
      expect(
        (await c2.conversations.create({ name: 'inc-3-search' }).catch((e: { data: { error: string } }) => e.data))
          .error,
      ).toBe('name_taken');
    } finally {
      await second.close();
    }
  });

  /** A workspace on `dir` with one channel, and an upload of text bytes to it. */
  async function workspaceWithChannel(name: string) {
    const first = await createLocalWorkspace({ dataDir: dir, appBaseUrl: () => 'http://127.0.0.1:1', logger });
    const client = new WebClient(first.botToken, { slackApiUrl: first.apiUrl() });
    const channel = (await client.conversations.create({ name })).channel!.id!;
    const upload = (filename: string, text: string) =>
      client.filesUploadV2({ channel_id: channel, file: Buffer.from(text), filename });
    return { first, upload };
  }

  it('keeps uploaded bytes in files of their own beside the state, and reads a state file that held them inline', async () => {
    const { first, upload } = await workspaceWithChannel('inc-4-search');
    await upload('c.png', 'chart-bytes');
    await first.close();
    const saved = JSON.parse(readFileSync(path.join(dir, 'sandbox-workspace.json'), 'utf8')) as {
      files: Array<{ id: string }>;
      fileContents?: unknown;
    };
    const id = saved.files[0]!.id;
    expect(saved.fileContents).toBeUndefined();
    expect(readFileSync(path.join(dir, FILES_DIR, id), 'utf8')).toBe('chart-bytes');

    // A state file written before: the bytes inline, as base64, and no directory.
    rmSync(path.join(dir, FILES_DIR), { recursive: true });
    writeFileSync(
      path.join(dir, 'sandbox-workspace.json'),
      JSON.stringify({ ...saved, fileContents: { [id]: Buffer.from('old-bytes').toString('base64') } }),
    );
    const second = await createLocalWorkspace({ dataDir: dir, appBaseUrl: () => 'http://127.0.0.1:1', logger });
    try {
      expect(second.state.fileContents.get(id)?.toString()).toBe('old-bytes');
      second.state.flush();
      expect(readFileSync(path.join(dir, FILES_DIR, id), 'utf8')).toBe('old-bytes');
    } finally {
      await second.close();
    }
  });

  it('loads the rest of the workspace when an uploaded file’s bytes are missing, short or unreadable', async () => {
    const { first, upload } = await workspaceWithChannel('inc-5-search');
    for (const name of ['a.png', 'b.png', 'c.png', 'd.png']) await upload(name, `bytes of ${name}`);
    await first.close();
    const ids = [...first.state.files.values()].map((f) => f.id);
    rmSync(path.join(dir, FILES_DIR, ids[0]!));
    writeFileSync(path.join(dir, FILES_DIR, ids[1]!), 'short');
    rmSync(path.join(dir, FILES_DIR, ids[2]!));
    mkdirSync(path.join(dir, FILES_DIR, ids[2]!));
    const second = await createLocalWorkspace({ dataDir: dir, appBaseUrl: () => 'http://127.0.0.1:1', logger });
    try {
      expect(second.state.loadProblem).toBeUndefined();
      expect(second.state.channelByName('inc-5-search')).toBeDefined();
      expect(second.state.fileContents.has(ids[0]!)).toBe(false);
      expect(second.state.fileContents.has(ids[1]!)).toBe(false);
      expect(second.state.fileContents.has(ids[2]!)).toBe(false);
      expect(second.state.fileContents.get(ids[3]!)?.toString()).toBe('bytes of d.png');
      expect(second.state.fileProblems).toHaveLength(2);
      expect(second.state.fileProblems.join('\n')).toContain(`${ids[1]}: 5 bytes stored, 14 uploaded`);
    } finally {
      await second.close();
    }
  });

  it('starts fresh and sets an unreadable state file aside', async () => {
    writeFileSync(path.join(dir, 'sandbox-workspace.json'), '{"version":1,"chan');
    const ws = await createLocalWorkspace({ dataDir: dir, appBaseUrl: () => 'http://127.0.0.1:1', logger });
    try {
      expect(ws.state.loadProblem).toBeDefined();
      expect(ws.state.channelByName('alerts')?.id).toBe('C0ALERTS');
      expect(readdirSync(dir).some((f) => f.startsWith('sandbox-workspace.json.unreadable-'))).toBe(true);
    } finally {
      await ws.close();
    }
  });
});
