// The on-call port on PagerDuty's REST API (@pagerduty/pdjs): escalation policies, who is on call for a schedule,
// escalating an incident.
import { api } from '@pagerduty/pdjs';
import type { AppConfig } from '../../config.js';
import { ExternalServiceError } from '../../errors.js';
import type { PagerDutyClient } from '../../oncall/ports.js';

export interface PagerDutyOptions {
  token: string;
  /** PAGERDUTY_API_URL; defaults to https://api.pagerduty.com. */
  apiUrl?: string;
  /** Email of the PagerDuty user the copilot acts as (the `From` header PagerDuty requires on writes). */
  fromEmail?: string;
}

/**
 * pdjs's `server` option always prepends https://, so a full `url` per request is what lets PAGERDUTY_API_URL
 * point at a local fake over http.
 */
export function createPagerDutyClient(opts: PagerDutyOptions): PagerDutyClient {
  const base = (opts.apiUrl ?? 'https://api.pagerduty.com').replace(/\/+$/, '');
  const call = async (method: 'GET' | 'PUT', path: string, data?: object): Promise<Record<string, unknown>> => {
    let res;
    try {
      res = await api({
        token: opts.token,
        url: `${base}/${path}`,
        method,
        ...(data ? { data } : {}),
        headers: opts.fromEmail ? { From: opts.fromEmail } : {},
      });
    } catch (err) {
      throw new ExternalServiceError('pagerduty', `${method} ${path.split('?')[0]} failed`, { cause: err });
    }
    if (!res.response.ok) {
      const retryable = res.response.status === 429 || res.response.status >= 500;
      throw new ExternalServiceError('pagerduty', `${method} ${path.split('?')[0]} answered ${res.response.status}`, {
        retryable,
      });
    }
    return (res.data ?? {}) as Record<string, unknown>;
  };
  return {
    async getEscalationPolicy(id) {
      const data = await call('GET', `escalation_policies/${encodeURIComponent(id)}`);
      const p = data.escalation_policy as {
        name: string;
        num_loops?: number;
        escalation_rules: { escalation_delay_in_minutes: number; targets: { type: string; id: string }[] }[];
      };
      return {
        name: p.name,
        loops: p.num_loops ?? 0,
        rules: p.escalation_rules.map((r) => ({
          delayMinutes: r.escalation_delay_in_minutes,
          targets: r.targets.map((t) => ({
            type: t.type.startsWith('schedule') ? ('schedule' as const) : ('user' as const),
            id: t.id,
          })),
        })),
      };
    },
    async onCallUsers(scheduleId, at) {
      const since = at.toISOString();
      const until = new Date(at.getTime() + 1000).toISOString();
      const q = `oncalls?schedule_ids[]=${encodeURIComponent(scheduleId)}&since=${encodeURIComponent(since)}&until=${encodeURIComponent(until)}`;
      const data = await call('GET', q);
      const oncalls = (data.oncalls ?? []) as { user: { id: string }; escalation_level?: number }[];
      return [...oncalls].sort((a, b) => (a.escalation_level ?? 1) - (b.escalation_level ?? 1)).map((o) => o.user.id);
    },
    async escalateIncident(incidentId, level) {
      await call('PUT', `incidents/${encodeURIComponent(incidentId)}`, {
        incident: { type: 'incident_reference', escalation_level: level },
      });
    },
  };
}

/** The PagerDuty client the settings ask for: PAGERDUTY_TOKEN set, else none. */
export function pagerDutyFromConfig(config: AppConfig): PagerDutyClient | undefined {
  const { env, file } = config;
  if (!env.PAGERDUTY_TOKEN) return undefined;
  // PagerDuty wants a user's email in `From` on writes: the first configured user known to PagerDuty with an email.
  const fromEmail = file.users.find((u) => u.pagerdutyId && u.email)?.email;
  return createPagerDutyClient({
    token: env.PAGERDUTY_TOKEN,
    ...(env.PAGERDUTY_API_URL ? { apiUrl: env.PAGERDUTY_API_URL } : {}),
    ...(fromEmail ? { fromEmail } : {}),
  });
}
