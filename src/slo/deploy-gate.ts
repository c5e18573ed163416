// GET /api/deploy-gate?service=X[&risk=low|high|fix]: the error-budget policy's answer for a deploy, for CI to call.
// 200 allow or 423 Locked with the state and the reason; a bearer token (DEPLOY_GATE_TOKEN) or loopback only.
import type { Request, Response, Router } from 'express';
import type { AppContext } from '../context.js';
import { isLoopback, verifyBearer } from '../intake/signatures.js';
import { formatBudgetLeft } from './error-budget.js';
import { decideDeploy, type DeployRisk } from './policy.js';
import { checkPolicies, worstOf } from './policy-service.js';

export interface GateRequest {
  query: Record<string, unknown>;
  authorization: string | undefined;
  remoteAddress: string | undefined;
}

export interface GateResponse {
  status: number;
  body: Record<string, unknown>;
}

const RISKS: readonly DeployRisk[] = ['low', 'high', 'fix'];

/** Whether `service` is one the copilot knows: in the config's services or the service of an SLO. */
function knownService(ctx: AppContext, service: string): boolean {
  const f = ctx.config.file;
  return f.services.some((s) => s.name === service) || f.slos.some((s) => s.service === service);
}

/**
 * The gate's answer for one deploy. A deploy that does not say its risk is taken as high risk (it waits in
 * soft-pause). Every SLO of the service is checked now; the worst state decides.
 */
export async function answerDeployGate(ctx: AppContext, service: string, risk: DeployRisk): Promise<GateResponse> {
  const statuses = await checkPolicies(ctx, service);
  const worst = worstOf(statuses);
  const slos = statuses.map((s) => ({
    slo: s.slo.id,
    state: s.state,
    reason: s.reason,
    budgetRemaining: s.reading.remaining,
    budgetLeft: formatBudgetLeft(s.reading.remaining),
    ...(s.stale ? { stale: true } : {}),
  }));
  if (!worst)
    return {
      status: 200,
      body: { allow: true, service, risk, state: 'no_slo', reason: `${service} has no SLO: nothing to block on`, slos },
    };
  const answer = decideDeploy(worst.state, risk);
  const reason = `${worst.slo.id}: ${worst.reason}; ${answer.reason}`;
  return {
    status: answer.allow ? 200 : 423,
    body: { allow: answer.allow, service, risk, state: worst.state, slo: worst.slo.id, reason, slos },
  };
}

/** Authenticates and validates a gate request, then answers it. */
export async function handleDeployGate(ctx: AppContext, req: GateRequest): Promise<GateResponse> {
  const token = ctx.config.env.DEPLOY_GATE_TOKEN;
  if (token ? !verifyBearer(req.authorization, token) : !isLoopback(req.remoteAddress))
    return {
      status: 401,
      body: {
        error: 'unauthorized',
        message: token
          ? 'bad or missing bearer token'
          : 'DEPLOY_GATE_TOKEN is unset: only loopback callers are accepted',
      },
    };
  const service = typeof req.query.service === 'string' ? req.query.service.trim() : '';
  const riskText = req.query.risk === undefined ? 'high' : req.query.risk;
  if (!service)
    return { status: 400, body: { error: 'invalid_request', message: 'service is required: ?service=<name>' } };
  if (typeof riskText !== 'string' || !RISKS.includes(riskText as DeployRisk))
    return {
      status: 400,
      body: { error: 'invalid_request', message: 'risk must be one of low, high, fix (default high)' },
    };
  if (!knownService(ctx, service))
    return { status: 404, body: { error: 'not_found', message: `unknown service "${service}"` } };
  return answerDeployGate(ctx, service, riskText as DeployRisk);
}

/** Mounts GET /api/deploy-gate on the root router. */
export function mountDeployGate(ctx: AppContext, router: Router): void {
  router.get('/api/deploy-gate', async (req: Request, res: Response) => {
    try {
      const answer = await handleDeployGate(ctx, {
        query: req.query as Record<string, unknown>,
        authorization: req.headers.authorization,
        remoteAddress: req.socket.remoteAddress,
      });
      res.status(answer.status).json(answer.body);
    } catch (err) {
      ctx.logger.error({ err }, 'deploy gate failed');
      res.status(503).json({ error: 'unavailable', message: 'could not check the error budget; retry' });
    }
  });
}
