// Slack's request signing (v0): how the local workspace signs what it delivers to the app's /slack/events.
import { createHmac } from 'node:crypto';

/** The two headers Slack adds to each request it sends an app. */
export function signSlackRequest(
  signingSecret: string,
  rawBody: string,
  timestampSeconds = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const base = `v0:${timestampSeconds}:${rawBody}`;
  const hex = createHmac('sha256', signingSecret).update(base).digest('hex');
  return { 'X-Slack-Signature': `v0=${hex}`, 'X-Slack-Request-Timestamp': String(timestampSeconds) };
}
