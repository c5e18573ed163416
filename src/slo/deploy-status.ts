// A commit status `error-budget/<service>` on each deploy's sha: success, or failure with the policy's reason, so
// the deploy's commit on GitHub shows whether the error-budget policy let it through.
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { defineJob } from '../jobs/define-job.js';
import type { JobDefinition } from '../jobs/job-queue.js';
import type { ChangeEventPayload } from '../intake/alert.js';
import { answerDeployGate } from './deploy-gate.js';
import type { DeployRisk } from './policy.js';
import { GITHUB_REPO_MESSAGE, GITHUB_REPO_PATTERN } from '../../lib/github-repo.js';

/** The port: writes one commit status (GitHub's in src/adapters/github/commit-status.ts). */
export interface CommitStatusWriter {
  setStatus(
    repo: string,
    sha: string,
    status: { state: 'success' | 'failure'; context: string; description: string },
  ): Promise<void>;
}

export const SetDeployStatus = {
  name: 'set-deploy-status',
  schema: z.object({
    deployId: z.string().min(1),
    service: z.string().min(1),
    sha: z.string().regex(/^[0-9a-fA-F]{7,64}$/),
    repo: z.string().regex(GITHUB_REPO_PATTERN, GITHUB_REPO_MESSAGE),
    risk: z.enum(['low', 'high', 'fix']),
  }),
} as const;
type Payload = z.infer<typeof SetDeployStatus.schema>;

/** The status context of a service: `error-budget/checkout`. */
export const statusContext = (service: string) => `error-budget/${service}`;

/**
 * Queues the commit status of a deploy event (once per event id): the repository is the service's `repo` in the
 * config, else the event's `repo`; a deploy without a sha or repository, a SHA that is not hex, or a service that is
 * not in the config gets none.
 */
export async function requestDeployStatus(ctx: AppContext, event: ChangeEventPayload): Promise<boolean> {
  if (event.type !== 'deploy' || !event.sha || !ctx.config.env.GITHUB_TOKEN) return false;
  const known = ctx.config.file.services.find((s) => s.name === event.service);
  if (!known) {
    // A service the copilot does not know gets no status, never a green one: a required check stays pending, as the
    // deploy gate answers 404 for it (a typo in a pipeline must not pass as "nothing to block on").
    ctx.logger.warn({ deploy: event.id }, 'no commit status: the deploy names a service that is not in the config');
    return false;
  }
  const extra = event as { repo?: unknown; risk?: unknown };
  const named = typeof extra.repo === 'string' ? extra.repo : undefined;
  // The config decides where a service's statuses go; an event may name the repository only of a service whose
  // config names none (the event's text must not pick another repository to write to).
  if (known.repo && named !== undefined && named.toLowerCase() !== known.repo.toLowerCase()) {
    ctx.logger.warn(
      { deploy: event.id, service: event.service },
      "the deploy names another repository than the service's in the config; the config's is used",
    );
  }
  const repo = known.repo ?? named;
  const risk = ['low', 'high', 'fix'].includes(extra.risk as string) ? (extra.risk as DeployRisk) : 'high';
  const payload = SetDeployStatus.schema.safeParse({
    deployId: event.id,
    service: event.service,
    sha: event.sha,
    repo,
    risk,
  });
  if (!payload.success) {
    ctx.logger.info(
      { deploy: event.id, service: event.service },
      'no commit status for this deploy (no repository or sha)',
    );
    return false;
  }
  await ctx.queue.enqueue(SetDeployStatus.name, payload.data, {
    jobId: `deploy-status:${event.id.replace(/[^A-Za-z0-9_.:-]/g, '_')}`,
  });
  return true;
}

export function setDeployStatusJob(ctx: AppContext, writer: CommitStatusWriter | undefined): JobDefinition<Payload> {
  return defineJob({
    ...SetDeployStatus,
    attempts: 6,
    backoffMs: 2_000,
    async process(p) {
      if (!writer) return;
      const answer = await answerDeployGate(ctx, p.service, p.risk);
      const allow = answer.status === 200;
      await writer.setStatus(p.repo, p.sha, {
        state: allow ? 'success' : 'failure',
        context: statusContext(p.service),
        description: String(answer.body.reason),
      });
      ctx.logger.info({ deploy: p.deployId, service: p.service, allow }, 'error-budget commit status set');
    },
  });
}
