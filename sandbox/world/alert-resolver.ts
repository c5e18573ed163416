// The world's Alertmanager with send_resolved: true: once a paged fault is healed and its SLI recovers, it sends the resolved notification.
import type { Logger } from '../../src/logger.js';
import { evaluateAlert, sendPage, type PageDelivery } from './alert.js';
import type { AlertRule } from './scenarios.js';
import type { World } from './world.js';

const rfc3339 = (ms: number) => new Date(ms).toISOString();

/**
 * The resolved notification for a firing Alertmanager webhook body: the same group, labels, annotations, startsAt
 * and fingerprint, with status "resolved" (top level and per alert) and endsAt the moment it resolved.
 */
export function buildResolvedBody(firing: Record<string, unknown>, endsAt: number): Record<string, unknown> {
  const alerts = Array.isArray(firing.alerts) ? (firing.alerts as Array<Record<string, unknown>>) : [];
  return {
    ...firing,
    status: 'resolved',
    alerts: alerts.map((a) => ({ ...a, status: 'resolved', endsAt: rfc3339(endsAt) })),
  };
}

interface Tracked {
  rule: AlertRule;
  /** The faults the page was about: the alert can only resolve once each of them is cleared. */
  faultIds: string[];
  page: Record<string, unknown>;
  deliver: (body: Record<string, unknown>) => Promise<PageDelivery>;
}

/**
 * Follows the alerts the world paged. `check` resolves each whose faults are all cleared and whose rule no longer
 * holds, delivering the resolved body once (it stays tracked and is retried on the next check when the app does not
 * answer 2xx, as Alertmanager retries).
 */
export class AlertResolver {
  private readonly firing: Tracked[] = [];
  private running: Promise<number> | undefined;

  constructor(
    private readonly world: World,
    private readonly logger?: Logger,
  ) {}

  /** Remembers a page that was sent: `deliver` posts a body to the same webhook, the same way. */
  track(rule: AlertRule, faultIds: string[], page: Record<string, unknown>, deliver: Tracked['deliver']): void {
    this.firing.push({ rule, faultIds, page, deliver });
  }

  /** How many alerts are still firing (paged and not yet resolved). */
  get size(): number {
    return this.firing.length;
  }

  /** Sends the resolved notification of every healed alert; returns how many were delivered. One check at a time. */
  check(): Promise<number> {
    this.running ??= this.resolveHealed().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private healed(t: Tracked, now: number): boolean {
    const faults = this.world.listFaults().filter((f) => t.faultIds.includes(f.id));
    if (faults.some((f) => f.clearedAt === null || f.clearedAt > now)) return false;
    return !evaluateAlert(this.world, t.rule, now).firing;
  }

  private async resolveHealed(): Promise<number> {
    let delivered = 0;
    for (const t of [...this.firing]) {
      const now = this.world.now();
      if (!this.healed(t, now)) continue;
      try {
        const res = await t.deliver(buildResolvedBody(t.page, now));
        if (res.status < 200 || res.status >= 300) {
          this.logger?.warn(
            { alertname: t.rule.alertname, status: res.status },
            'sandbox: resolved notification refused; will retry',
          );
          continue;
        }
        this.firing.splice(this.firing.indexOf(t), 1);
        delivered += 1;
        this.logger?.info(
          { alertname: t.rule.alertname, service: t.rule.service },
          'sandbox: alert resolved and notification sent',
        );
      } catch (err) {
        this.logger?.warn({ err, alertname: t.rule.alertname }, 'sandbox: resolved notification failed; will retry');
      }
    }
    return delivered;
  }
}

/** A deliver function for `track`: the webhook URL and token the page went to. */
export function deliverTo(url: string, bearerToken?: string): Tracked['deliver'] {
  return (body) => sendPage(url, body, bearerToken ? { bearerToken } : {});
}
