// The /incident modals: declare (title, service, severity, summary) and resolve (the confirmed root cause: category,
// service, cause; and a summary).
import type { InputBlock, InputBlockElement, PlainTextOption, SlackModalView } from './block-kit.js';
import { ViewIds } from './ids.js';
import { truncate } from './limits.js';

/** Block and action ids of the declare modal's inputs (block id = action id), shared with the view handler. */
export const DeclareFields = {
  title: 'declare_title',
  service: 'declare_service',
  severity: 'declare_severity',
  summary: 'declare_summary',
} as const;
/** Block and action ids of the resolve modal's inputs, shared with the view handler. */
export const ResolveFields = {
  category: 'resolve_category',
  service: 'resolve_service',
  cause: 'resolve_cause',
  summary: 'resolve_summary',
} as const;

/** A modal as `views.open` takes it: Slack's own type. */
export type ModalView = SlackModalView;

const option = (text: string, value: string): PlainTextOption => ({
  text: { type: 'plain_text', text: truncate(text, 75) },
  value,
});

function input(blockId: string, label: string, element: InputBlockElement, optional = false): InputBlock {
  return {
    type: 'input',
    block_id: blockId,
    label: { type: 'plain_text', text: label },
    optional,
    element: { ...element, action_id: blockId },
  };
}

/** The declare modal; `channelId` comes back in private_metadata so the confirmation goes where /incident was typed. */
export function buildDeclareModal(view: { title?: string; services: string[]; channelId: string }): ModalView {
  const services = view.services.slice(0, 100);
  return {
    type: 'modal',
    callback_id: ViewIds.declareIncident,
    title: { type: 'plain_text', text: 'Declare an incident' },
    submit: { type: 'plain_text', text: 'Declare' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: JSON.stringify({ channelId: view.channelId }),
    blocks: [
      input(DeclareFields.title, 'Title', {
        type: 'plain_text_input',
        max_length: 150,
        ...(view.title ? { initial_value: truncate(view.title, 150) } : {}),
      }),
      services.length
        ? input(
            DeclareFields.service,
            'Service',
            {
              type: 'static_select',
              placeholder: { type: 'plain_text', text: 'Which service?' },
              options: services.map((s) => option(s, s)),
            },
            true,
          )
        : input(DeclareFields.service, 'Service', { type: 'plain_text_input', max_length: 80 }, true),
      input(DeclareFields.severity, 'Severity', {
        type: 'static_select',
        initial_option: option('SEV2: page in business hours', 'sev2'),
        options: [
          option('SEV1: page now, any hour', 'sev1'),
          option('SEV2: page in business hours', 'sev2'),
          option('SEV3: post, never page', 'sev3'),
        ],
      }),
      input(DeclareFields.summary, 'Summary', { type: 'plain_text_input', multiline: true, max_length: 2000 }, true),
    ],
  };
}

/**
 * The resolve modal: the confirmed root cause (category, service, cause), pre-filled with the copilot's top
 * hypothesis when it had one; the categories are the copilot's own, so the answer can score its hypotheses.
 */
export function buildResolveModal(view: {
  incidentId: number;
  publicId: string;
  categories: readonly string[];
  channelId: string;
  /** The top hypothesis, offered as the answer (people change what is wrong). */
  suggested?: { category: string; service: string | null; cause: string | null } | null;
}): ModalView {
  const s = view.suggested;
  const initial = s && view.categories.includes(s.category) ? s.category : undefined;
  return {
    type: 'modal',
    callback_id: ViewIds.resolveIncident,
    title: { type: 'plain_text', text: truncate(`Resolve ${view.publicId}`, 24) },
    submit: { type: 'plain_text', text: 'Resolve' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: JSON.stringify({ incidentId: view.incidentId, channelId: view.channelId }),
    blocks: [
      input(ResolveFields.category, 'Root-cause category', {
        type: 'static_select',
        placeholder: { type: 'plain_text', text: 'What kind of cause?' },
        options: view.categories.map((c) => option(c.replace(/_/g, ' '), c)),
        ...(initial ? { initial_option: option(initial.replace(/_/g, ' '), initial) } : {}),
      }),
      input(
        ResolveFields.service,
        'Service where the cause was',
        {
          type: 'plain_text_input',
          max_length: 120,
          ...(s?.service ? { initial_value: truncate(s.service, 120) } : {}),
        },
        true,
      ),
      input(
        ResolveFields.cause,
        'Cause (deploy id, change id, dependency…)',
        { type: 'plain_text_input', max_length: 200, ...(s?.cause ? { initial_value: truncate(s.cause, 200) } : {}) },
        true,
      ),
      input(ResolveFields.summary, 'Summary', { type: 'plain_text_input', multiline: true, max_length: 2000 }),
    ],
  };
}
