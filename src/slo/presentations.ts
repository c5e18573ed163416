// What the SLO capability asks a chat presenter to show; each request is a durable job (presenters/slack/).
import { z } from 'zod';

const state = z.enum(['ship_freely', 'soft_pause', 'hard_pause', 'unknown']);

/** An SLO's policy state changed: posted in the owning team's alerts channel. */
export const ShowPolicyChange = {
  name: 'show-slo-policy-change',
  schema: z.object({
    changeId: z.number().int().positive(),
    sloId: z.string().min(1),
    service: z.string().min(1),
    from: state.nullable(),
    to: state,
    reason: z.string(),
    remaining: z.number().nullable(),
  }),
} as const;
export type PolicyChangePayload = z.infer<typeof ShowPolicyChange.schema>;
