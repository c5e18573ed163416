// Action runner for `webhook` actions: a JSON POST signed with HMAC-SHA256, with the run id as idempotency key.
import { createHmac } from 'node:crypto';
import type { ActionRunner, ActionRunOutcome, ActionRunRequest } from '../../remediation/action-runner.js';
import { ExternalServiceError } from '../../errors.js';

export interface WebhookRunnerOptions {
  /** Where secrets are read by the name in `secretEnv` (process.env in the app). */
  env: Record<string, string | undefined>;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** `sha256=<hex HMAC-SHA256(secret, body)>`, the value of the X-Signature header. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** The JSON body a webhook action receives. */
export interface WebhookActionBody {
  runId: string;
  action: string;
  incident: string;
  service: string;
  cause: string | null;
  inputs: Record<string, string>;
}

/**
 * Builds the `webhook` runner. 2xx is success; 5xx, 429 and network errors are retryable (the receiver
 * deduplicates on Idempotency-Key); other 4xx fail the run. A configured secretEnv that is unset fails the run
 * rather than sending an unsigned request.
 */
export function createWebhookRunner(opts: WebhookRunnerOptions): ActionRunner {
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return {
    type: 'webhook',
    async run(req: ActionRunRequest): Promise<ActionRunOutcome> {
      const runner = req.action.runner;
      if (runner.type !== 'webhook') throw new Error(`webhook runner given a ${runner.type} action`);
      const payload: WebhookActionBody = {
        runId: req.runId,
        action: req.action.name,
        incident: req.incidentPublicId,
        service: req.service,
        cause: req.cause,
        inputs: req.inputs,
      };
      const body = JSON.stringify(payload);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'idempotency-key': req.runId,
        'user-agent': 'incident-copilot',
      };
      if (runner.secretEnv) {
        const secret = opts.env[runner.secretEnv];
        if (!secret)
          return { ok: false, detail: `The webhook secret ${runner.secretEnv} is not set; nothing was sent.` };
        headers['x-signature'] = signBody(secret, body);
      }
      const host = safeHost(runner.url);
      let res: Response;
      try {
        res = await doFetch(runner.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
      } catch (err) {
        throw new ExternalServiceError('webhook', `POST to ${host} failed: ${(err as Error).message}`, {
          retryable: true,
          cause: err,
        });
      }
      const text = await res.text().catch(() => '');
      if (res.ok) {
        const ref = externalRef(text);
        const detail = `Webhook ${req.action.name} accepted by ${host} (HTTP ${res.status}).`;
        return ref ? { ok: true, detail, externalRef: ref } : { ok: true, detail };
      }
      if (res.status >= 500 || res.status === 429) {
        const retryAfter = Number(res.headers.get('retry-after'));
        throw new ExternalServiceError('webhook', `POST to ${host} answered HTTP ${res.status}`, {
          retryable: true,
          ...(Number.isFinite(retryAfter) ? { retryAfterMs: retryAfter * 1000 } : {}),
        });
      }
      return { ok: false, detail: `Webhook ${req.action.name} refused by ${host} (HTTP ${res.status}).` };
    },
  };
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the webhook';
  }
}

/** An `id` or `url` in a JSON answer, to link the run. */
function externalRef(text: string): string | undefined {
  try {
    const json = JSON.parse(text) as { id?: unknown; url?: unknown };
    if (typeof json.url === 'string') return json.url;
    if (typeof json.id === 'string' || typeof json.id === 'number') return String(json.id);
  } catch {
    // not JSON: no reference
  }
  return undefined;
}
