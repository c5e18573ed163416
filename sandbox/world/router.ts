// The world's HTTP API for the console: the scenario menu, triggering one (which pages the app), the world's state, reset.
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Logger } from '../../src/logger.js';
import { NotFoundError } from '../../src/errors.js';
import { metricByRole } from './metrics.js';
import { WORLD_SCENARIOS } from './scenarios.js';
import { sendPage } from './alert.js';
import { deliverTo, type AlertResolver } from './alert-resolver.js';
import { triggerScenario } from './trigger.js';
import type { World } from './world.js';

export interface WorldRouterOptions {
  logger?: Logger;
  /** Bearer token the app expects on /webhooks/alertmanager (ALERTMANAGER_TOKEN), if any. */
  alertmanagerToken?: string;
  /** Where pages go; default the app's own /webhooks/alertmanager on the address the request came in on. */
  webhookUrl?: (req: Request) => string;
  /** Follows each delivered page and sends its resolved notification once the fault is healed. */
  resolver?: AlertResolver;
}

const triggerBody = z.object({ scenario: z.string().min(1) });

/**
 * The app's own Alertmanager webhook on loopback, at the port this request reached (the intake trusts loopback when
 * ALERTMANAGER_TOKEN is unset). IPv6 loopback when the server is bound there.
 */
function ownWebhookUrl(req: Request): string {
  const host = req.socket.localAddress === '::1' ? '[::1]' : '127.0.0.1';
  return `http://${host}:${req.socket.localPort}/webhooks/alertmanager`;
}

/** How each service looks now: the numbers the console shows next to the topology. */
export function describeWorld(world: World) {
  const now = world.now();
  const signals = world.signalsAt(now);
  const read = (role: string, service: string) => {
    const sig = signals.get(service);
    const m = metricByRole(role);
    const v = sig && m ? m.read(service, sig)[0]?.value : undefined;
    return v === undefined ? null : Number(v.toPrecision(4));
  };
  return {
    now: new Date(now).toISOString(),
    speed: world.clock.speed,
    services: world.topology.services.map((s) => {
      const errorRatio = read('error_ratio', s.name);
      const latencyP99 = read('latency_p99', s.name);
      const queueDepth = read('queue_depth', s.name);
      const baseErr = s.baseline.errorRatio ?? 0;
      const degraded =
        (errorRatio !== null && errorRatio > Math.max(0.02, baseErr * 5)) ||
        (latencyP99 !== null && latencyP99 > 1.5) ||
        (queueDepth !== null && queueDepth > 5000);
      return {
        name: s.name,
        kind: s.kind,
        team: s.team ?? null,
        dependsOn: [...s.dependsOn],
        health:
          s.kind === 'external'
            ? world.activeFaults(now).some((f) => f.service === s.name)
              ? 'degraded'
              : 'ok'
            : degraded
              ? 'degraded'
              : 'ok',
        errorRatio,
        latencyP99,
        cpu: read('cpu', s.name),
        queueDepth,
      };
    }),
    faults: world.listFaults().map((f) => ({
      id: f.id,
      scenario: f.scenario,
      kind: f.kind,
      service: f.service,
      cause: f.cause,
      startedAt: new Date(f.startAt).toISOString(),
      active: f.startAt <= now && (f.clearedAt === null || f.clearedAt > now),
      clearedAt: f.clearedAt === null ? null : new Date(f.clearedAt).toISOString(),
      clearedBy: f.clearedBy,
    })),
    operations: world.listOperations().map((o) => ({ ...o, at: new Date(o.at).toISOString() })),
  };
}

/**
 * Routes under /sandbox/api: GET scenarios, POST trigger {scenario}, GET world, POST reset. Triggering injects the
 * fault and then pages the app through its own Alertmanager webhook; the answer says what was injected and how the
 * page was received.
 */
export function createWorldRouter(world: World, opts: WorldRouterOptions = {}): Router {
  const router = express.Router();
  router.use('/sandbox/api', express.json({ limit: '16kb' }));

  router.get('/sandbox/api/scenarios', (_req, res) => {
    res.json(WORLD_SCENARIOS.map((s) => ({ id: s.id, title: s.title, category: s.category })));
  });

  router.get('/sandbox/api/world', (_req, res) => {
    res.json(describeWorld(world));
  });

  router.post('/sandbox/api/reset', (_req, res) => {
    res.json({ cleared: world.reset() });
  });

  router.post('/sandbox/api/trigger', async (req: Request, res: Response) => {
    const parsed = triggerBody.safeParse(req.body ?? {});
    if (!parsed.success) {
      res.status(400).json({ error: 'expected a JSON body {"scenario": "<id>"}; see GET /sandbox/api/scenarios' });
      return;
    }
    let triggered: ReturnType<typeof triggerScenario>;
    try {
      triggered = triggerScenario(world, parsed.data.scenario);
    } catch (err) {
      if (err instanceof NotFoundError) {
        res.status(404).json({ error: err.message, scenarios: WORLD_SCENARIOS.map((s) => s.id) });
        return;
      }
      throw err;
    }
    const injected = {
      faults: triggered.injection.faults.map((f) => ({ id: f.id, kind: f.kind, service: f.service, cause: f.cause })),
      deploys: triggered.injection.deploys.map((d) => d.id),
      changes: triggered.injection.changes.map((c) => c.id),
    };
    const alert = {
      alertname: triggered.injection.alert.alertname,
      service: triggered.injection.alert.service,
      firing: triggered.evaluation.firing,
      value: triggered.evaluation.value,
      startsAt: triggered.evaluation.firedAt === null ? null : new Date(triggered.evaluation.firedAt).toISOString(),
    };
    if (!triggered.evaluation.firing)
      opts.logger?.warn(
        { scenario: triggered.scenario.id, alert },
        'sandbox: the alert condition does not hold yet; paging anyway',
      );
    const url = opts.webhookUrl ? opts.webhookUrl(req) : ownWebhookUrl(req);
    try {
      const delivery = await sendPage(url, triggered.page, { bearerToken: opts.alertmanagerToken });
      const ok = delivery.status >= 200 && delivery.status < 300;
      if (ok)
        opts.resolver?.track(
          triggered.injection.alert,
          triggered.injection.faults.map((f) => f.id),
          triggered.page,
          deliverTo(url, opts.alertmanagerToken),
        );
      opts.logger?.info(
        { scenario: triggered.scenario.id, status: delivery.status },
        'sandbox: scenario triggered and page sent',
      );
      res.status(ok ? 202 : 502).json({
        scenario: triggered.scenario,
        injected,
        alert,
        page: { delivered: ok, status: delivery.status, ...(ok ? {} : { answer: delivery.body.slice(0, 500) }) },
      });
    } catch (err) {
      opts.logger?.error({ err, scenario: triggered.scenario.id }, 'sandbox: page delivery failed');
      res.status(502).json({
        scenario: triggered.scenario,
        injected,
        alert,
        page: { delivered: false, error: (err as Error).message },
      });
    }
  });

  return router;
}
