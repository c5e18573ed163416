// IncidentHistory on PagerDuty (@pagerduty/pdjs): resolved incidents of the last months, matched by service and words.
import { api } from '@pagerduty/pdjs';
import { ExternalServiceError } from '../../errors.js';
import type { IncidentHistory } from '../../investigation/ports.js';
import type { PastIncident } from '../../investigation/evidence-model.js';

/** Settings of the PagerDuty incident history. */
export interface PagerDutyHistoryOptions {
  /** PAGERDUTY_TOKEN. */
  token: string;
  /** PAGERDUTY_API_URL; https://api.pagerduty.com when absent. */
  apiUrl?: string;
  /** How far back to look; PagerDuty answers at most about six months per query. */
  lookbackDays?: number;
  now?: () => number;
}

interface PdIncident {
  id: string;
  incident_number?: number;
  title?: string;
  summary?: string;
  created_at: string;
  service?: { id: string; summary?: string };
  resolve_reason?: { type?: string } | null;
}

export function createPagerDutyHistory(opts: PagerDutyHistoryOptions): IncidentHistory {
  // pdjs's `server` option always prepends https://; a full `url` lets PAGERDUTY_API_URL point at a local fake.
  const base = (opts.apiUrl ?? 'https://api.pagerduty.com').replace(/\/+$/, '');
  const now = opts.now ?? Date.now;
  return {
    async similar(query) {
      const until = new Date(now());
      const since = new Date(until.getTime() - (opts.lookbackDays ?? 180) * 86_400_000);
      const params = new URLSearchParams({
        since: since.toISOString(),
        until: until.toISOString(),
        limit: '100',
        sort_by: 'created_at:desc',
      });
      params.append('statuses[]', 'resolved');
      let res;
      try {
        res = await api({ token: opts.token, url: `${base}/incidents?${params.toString()}`, method: 'GET' });
      } catch (err) {
        throw new ExternalServiceError(
          'pagerduty',
          `GET incidents failed: ${err instanceof Error ? err.message : 'no answer'}`,
          { cause: err },
        );
      }
      if (!res.response.ok) {
        const status = res.response.status;
        throw new ExternalServiceError('pagerduty', `GET incidents answered ${status}`, {
          retryable: status === 429 || status >= 500,
        });
      }
      const incidents = ((res.data as { incidents?: PdIncident[] } | undefined)?.incidents ?? []) as PdIncident[];
      const words = (query.text ?? '')
        .toLowerCase()
        .split(/\W+/)
        .filter((w) => w.length > 3);
      const service = query.service?.toLowerCase();
      const scored = incidents.map((i) => {
        const title = i.title ?? i.summary ?? '';
        const svc = (i.service?.summary ?? '').toLowerCase();
        const hay = `${title} ${svc}`.toLowerCase();
        const score =
          (service && (svc === service || svc.includes(service)) ? 2 : 0) + words.filter((w) => hay.includes(w)).length;
        return { i, score };
      });
      return scored
        .filter((x) => x.score > 0 || (!service && words.length === 0))
        .sort((a, b) => b.score - a.score)
        .slice(0, query.limit ?? 10)
        .map(({ i }): PastIncident => ({
          id: i.incident_number !== undefined ? `PD-${i.incident_number}` : i.id,
          title: i.title ?? i.summary ?? '',
          service: i.service?.summary ?? '',
          // PagerDuty does not know our failure categories.
          category: 'unknown',
          openedAt: i.created_at,
          rootCause: '',
          remediation: i.resolve_reason?.type ?? '',
        }));
    },
  };
}
