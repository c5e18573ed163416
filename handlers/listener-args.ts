// What each kind of listener takes from Bolt's arguments, narrowed to what the handlers use, so that tests call the
// exported callbacks with Slack's payloads and fake ack/respond/client, without a Bolt app.
import type { AckFn, RespondArguments, RespondFn, ViewResponseAction } from '@slack/bolt';
import type { ViewsOpenArguments } from '@slack/web-api';

/** The part of Bolt's WebClient the handlers use: opening a modal. */
export interface ModalOpener {
  views: { open(args: ViewsOpenArguments): Promise<unknown> };
}

/** A button click (`block_actions`): the body is parsed with zod by the handler, so it is taken as it came. */
export interface ActionArgs {
  ack: () => Promise<void>;
  body: unknown;
  respond: RespondFn;
}

/** A button click that may open a modal. */
export interface ModalActionArgs extends ActionArgs {
  client: ModalOpener;
}

/** A slash command: ack may carry the ephemeral answer (usage, a refusal) itself. */
export interface CommandArgs {
  ack: AckFn<string | RespondArguments>;
  body: unknown;
  respond: RespondFn;
}

/** A slash command that may open a modal. */
export interface ModalCommandArgs extends CommandArgs {
  client: ModalOpener;
}

/** A modal submission (`view_submission`): ack may carry field errors that the modal shows. */
export interface ViewSubmissionArgs {
  ack: AckFn<ViewResponseAction>;
  body: unknown;
}

/** An Events API event (the inner `event` of the envelope). */
export interface EventArgs {
  event: unknown;
  /** Bolt's context: the copilot's own user id, to tell a mention of it and a reply under its messages. */
  context?: { botUserId?: string | undefined };
}
