// Whether Slack refuses the app itself: remembered per method from the calls' outcomes, with what to fix.
import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { SlackHealth, registerSlackHealthMetric } from '../../../../src/adapters/slack/slack-health.js';

describe('Slack health', () => {
  it('is refused by an app-level code only, per method, until that method succeeds again', () => {
    let now = Date.parse('2026-03-02T03:00:00Z');
    const health = new SlackHealth(() => now);
    health.failed('chat.postMessage', 'channel_not_found');
    health.failed('chat.postMessage', 'ratelimited');
    health.failed('conversations.open', undefined);
    expect(health.status()).toEqual({ status: 'ok' });

    health.failed('conversations.open', 'missing_scope');
    now += 60_000;
    health.failed('chat.postMessage', 'token_revoked');
    // Another method working does not clear a scope lost for DMs.
    health.accepted('chat.postMessage');
    expect(health.status()).toMatchObject({
      status: 'refused',
      code: 'missing_scope',
      method: 'conversations.open',
      since: '2026-03-02T03:00:00.000Z',
      fix: expect.stringContaining('manifest.yml'),
    });
    health.accepted('conversations.open');
    expect(health.status()).toEqual({ status: 'ok' });
  });

  it('shows on /metrics as copilot_slack_refused with its code', async () => {
    const registry = new Registry();
    const health = new SlackHealth(() => 0);
    registerSlackHealthMetric(registry, health);
    expect(await registry.metrics()).toContain('copilot_slack_refused{code=""} 0');
    health.failed('chat.postMessage', 'token_revoked');
    const text = await registry.metrics();
    expect(text).toContain('copilot_slack_refused{code="token_revoked"} 1');
    expect(text).not.toContain('code=""');
  });
});
