// Whether Slack currently refuses the app itself (its token or scopes), as its Web API calls found.
import { Gauge, type Registry } from 'prom-client';
import { APP_LEVEL_SLACK_ERRORS } from './slack-errors.js';

export type SlackHealthStatus =
  { status: 'ok' } | { status: 'refused'; code: string; method: string; since: string; fix: string };

/**
 * Slack's refusals of the app itself (APP_LEVEL_SLACK_ERRORS codes: every call of the kind fails the same way until an
 * operator acts), per Web API method, each cleared by the next call of that method Slack accepts (a scope lost for
 * DMs alone keeps conversations.open refused while channel posts work). Per process: a worker role's own /readyz and
 * /metrics show what its jobs found.
 */
export class SlackHealth {
  private readonly refusals = new Map<string, { code: string; since: number }>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** A call Slack answered: its method is not refused (any earlier refusal of it is over). */
  accepted(method: string): void {
    this.refusals.delete(method);
  }

  /** A failed call: remembered when its code says Slack refuses the app itself. */
  failed(method: string, code: string | undefined): void {
    if (!code || !APP_LEVEL_SLACK_ERRORS.has(code)) return;
    if (this.refusals.get(method)?.code !== code) this.refusals.set(method, { code, since: this.now() });
  }

  /** The oldest refusal still standing, with what to do about it; ok when there is none. */
  status(): SlackHealthStatus {
    let oldest: { method: string; code: string; since: number } | undefined;
    for (const [method, r] of this.refusals) if (!oldest || r.since < oldest.since) oldest = { method, ...r };
    if (!oldest) return { status: 'ok' };
    const { code, method, since } = oldest;
    return { status: 'refused', code, method, since: new Date(since).toISOString(), fix: fixFor(code) };
  }
}

/** What an operator does about a refusal, in the words of the setting to change. */
function fixFor(code: string): string {
  if (code === 'missing_scope' || code === 'no_permission' || code === 'team_access_not_granted')
    return 'reinstall the Slack app with the scopes in manifest.yml';
  if (code === 'not_allowed_token_type') return 'SLACK_BOT_TOKEN must be the bot token (xoxb-)';
  return 'install the Slack app again and set SLACK_BOT_TOKEN to its bot token';
}

/** `copilot_slack_refused{code}`: 1 while Slack refuses the app itself (the last call of its kind failed so), else 0. */
export function registerSlackHealthMetric(registry: Registry, health: SlackHealth): void {
  new Gauge({
    name: 'copilot_slack_refused',
    help: 'Whether Slack refuses the app itself (token, scopes): 1 with the error code, else 0',
    labelNames: ['code'],
    registers: [registry],
    collect() {
      this.reset();
      const s = health.status();
      if (s.status === 'refused') this.set({ code: s.code }, 1);
      else this.set({ code: '' }, 0);
    },
  });
}
