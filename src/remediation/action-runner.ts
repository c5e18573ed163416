// The action-runner port: carries out one catalog action (GitHub workflow, signed webhook, or the local world).
import type { ActionDef } from '../config.js';

export interface ActionRunRequest {
  /** Unique id of this run; runners pass it on so the far side can deduplicate. */
  runId: string;
  action: ActionDef;
  incidentPublicId: string;
  /** The service the action targets (the hypothesis's service). */
  service: string;
  /** Deploy or change id for rollback_deploy / revert_change, else null. */
  cause: string | null;
  /** The action's inputs with placeholders filled ({{service}}, {{cause}}, {{incident}}). */
  inputs: Record<string, string>;
}

export interface ActionRunOutcome {
  ok: boolean;
  /** One line for the timeline and the channel. */
  detail: string;
  /** Where to follow it (workflow run URL, webhook response id). */
  externalRef?: string;
}

/** Runs actions of one runner type (`github_workflow`, `webhook`, `sandbox`). */
export interface ActionRunner {
  readonly type: ActionDef['runner']['type'];
  run(req: ActionRunRequest): Promise<ActionRunOutcome>;
}
