// SLO messages: the error-budget policy's change of state in the team's channel, and the /slo answer.
import type { KnownBlock } from './block-kit.js';
import { escapeMrkdwn, fitBlocks, truncate, LIMITS } from './limits.js';
import type { PolicyChangeView, SloStatusView } from '../src/slo/slo-view.js';

const ICON: Record<string, string> = {
  ship_freely: ':large_green_circle:',
  soft_pause: ':large_yellow_circle:',
  hard_pause: ':red_circle:',
  unknown: ':white_circle:',
};

const MEANING: Record<string, string> = {
  ship_freely: 'deploys ship freely',
  soft_pause: 'risky changes wait; low-risk changes and fixes ship',
  hard_pause: 'only fixes ship',
  unknown: 'no SLI data: the gate does not block',
};

/** "SLO checkout-availability: soft-pause → hard-pause (budget exhausted …): only fixes ship". */
export function buildPolicyChangeText(view: PolicyChangeView): string {
  return truncate(
    `${ICON[view.toState] ?? ''} Error-budget policy of *${escapeMrkdwn(view.slo)}* (${escapeMrkdwn(view.service)}): ` +
      `${view.from ? `${view.from} → ` : ''}*${view.to}* (${MEANING[view.toState] ?? view.to}). ` +
      `${escapeMrkdwn(view.budgetLeft)}; ${escapeMrkdwn(view.reason)}.`,
    LIMITS.messageText,
  );
}

/** The /slo answer: per SLO its state, budget left and the burn of each window pair. */
export function buildSloStatusBlocks(service: string | null, views: SloStatusView[]): KnownBlock[] {
  if (!views.length)
    return fitBlocks([
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: service ? `No SLO is defined for \`${escapeMrkdwn(service)}\`.` : 'No SLO is defined.',
        },
      },
    ]);
  return fitBlocks(
    views.map((v) => {
      const pairs = v.pairs.map(
        (p) =>
          `• ${p.severity} ${p.windows}: ${p.long} and ${p.short} (fires above ${p.threshold})${p.firing ? ' :fire:' : ''}`,
      );
      return {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: truncate(
            [
              `${ICON[v.state] ?? ''} *${escapeMrkdwn(v.slo)}* (${escapeMrkdwn(v.service)}, objective ${v.objective}): *${v.stateName}*${v.stale ? ' (last known)' : ''}, ${MEANING[v.state] ?? ''}`,
              `${escapeMrkdwn(v.budgetLeft)}; ${escapeMrkdwn(v.reason)}`,
              'Burn rate per window pair (long and short window):',
              ...pairs,
            ].join('\n'),
            LIMITS.sectionText,
          ),
        },
      };
    }),
  );
}

/** The /slo answer as plain text (notification fallback). */
export function buildSloStatusText(service: string | null, views: SloStatusView[]): string {
  if (!views.length) return service ? `No SLO is defined for ${escapeMrkdwn(service)}.` : 'No SLO is defined.';
  return truncate(
    views.map((v) => `${escapeMrkdwn(v.slo)}: ${v.stateName}, ${escapeMrkdwn(v.budgetLeft)}`).join('; '),
    LIMITS.messageText,
  );
}
