// What the channel is shown about a remediation run: its progress and its verdict (blocks/approval.ts renders them).
import type { ActionDef } from '../config.js';

/** An action's title for people, or its catalog name. */
export function actionTitle(action: ActionDef | undefined, name: string): string {
  return action?.title ?? name;
}

/** Where a run stands, for the progress message posted in the incident channel. */
export interface RemediationStatusView {
  runId: number;
  title: string;
  service: string;
  cause: string | null;
  status: 'approved' | 'succeeded' | 'failed' | 'rejected' | 'undone';
  /** Slack user id of who decided, or null when policy decided. */
  by: string | null;
  /** Why (the policy's reason when it ran alone, the rejection reason, the runner's detail). */
  detail: string | null;
  externalRef: string | null;
  /** When the SLI is re-read, for a succeeded run ("5 min", "30 s"). */
  verifyIn?: string;
}

/** The verdict after the verify window, with what to do next when it did not help. */
export interface VerificationView {
  runId: number;
  /** What its Undo button carries: the run id only (button-value.ts). */
  value: string;
  incidentId: number;
  title: string;
  service: string;
  /** null when the SLI could not be read. */
  recovered: boolean | null;
  /** False when the SLI had recovered before the action ran, so the action is not credited. */
  credited?: boolean;
  detail: string;
  /** Offered when the action is reversible and has an undo action in the catalog. */
  undo: { title: string } | null;
}
