// What the measure capability asks a chat presenter to show; each request is a durable job (presenters/slack/).
import { z } from 'zod';

/** The weekly summary of a slot: its view is stored with the slot in copilot_summaries; posted in `channel`, once. */
export const ShowCopilotSummary = {
  name: 'show-copilot-summary',
  schema: z.object({ slot: z.string().min(1), channel: z.string().min(1) }),
} as const;
