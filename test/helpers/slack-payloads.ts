// Slack's interaction payloads in the shapes Slack sends them (block_actions, slash command, view_submission, message
// event), for calling the handlers directly; each builder takes only what a test varies.

export const TEAM_ID = 'T0ACME';

/** A `block_actions` body of one button click in a channel message, as Bolt hands it to an action listener. */
export function buttonClick(opts: {
  actionId: string;
  value: string;
  user: string;
  channel?: string;
  actionTs?: string;
}): Record<string, unknown> {
  const channel = opts.channel ?? 'C0INCIDENT';
  return {
    type: 'block_actions',
    user: { id: opts.user, username: opts.user.toLowerCase(), name: opts.user.toLowerCase(), team_id: TEAM_ID },
    api_app_id: 'A0COPILOT',
    token: 'verification-token',
    container: { type: 'message', message_ts: '1764064800.000100', channel_id: channel, is_ephemeral: false },
    trigger_id: '8123456789.1234567890.0a1b2c3d4e5f',
    team: { id: TEAM_ID, domain: 'acme' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channel, name: 'inc-checkout' },
    message: {
      type: 'message',
      user: 'U0COPILOT',
      ts: '1764064800.000100',
      bot_id: 'B0COPILOT',
      text: 'briefing',
      blocks: [],
    },
    state: { values: {} },
    response_url: `https://hooks.slack.com/actions/${TEAM_ID}/1/response`,
    actions: [
      {
        action_id: opts.actionId,
        block_id: 'actions',
        text: { type: 'plain_text', text: 'Button', emoji: true },
        value: opts.value,
        type: 'button',
        action_ts: opts.actionTs ?? '1764064801.000200',
      },
    ],
  };
}

/** A slash command's form body (as Bolt parses it), typed in `channel` by `user`. */
export function slashCommand(opts: {
  command: string;
  text: string;
  user: string;
  channel?: string;
}): Record<string, string> {
  return {
    token: 'verification-token',
    team_id: TEAM_ID,
    team_domain: 'acme',
    channel_id: opts.channel ?? 'C0GENERAL',
    channel_name: 'general',
    user_id: opts.user,
    user_name: opts.user.toLowerCase(),
    command: opts.command,
    text: opts.text,
    api_app_id: 'A0COPILOT',
    is_enterprise_install: 'false',
    response_url: `https://hooks.slack.com/commands/${TEAM_ID}/1/response`,
    trigger_id: '8123456789.1234567890.0a1b2c3d4e5f',
  };
}

/** A plain-text input's state, as Slack reports it in `view.state.values[block][action]`. */
export const textInput = (value: string | null) => ({ type: 'plain_text_input', value });
/** A static select's state. */
export const selectInput = (value: string | null) => ({
  type: 'static_select',
  selected_option: value === null ? null : { text: { type: 'plain_text', text: value }, value },
});

/** A `view_submission` body of a modal whose input blocks and actions share one id (as blocks/modals.ts builds them). */
export function viewSubmission(opts: {
  callbackId: string;
  user: string;
  privateMetadata: string;
  values: Record<string, Record<string, unknown>>;
}): Record<string, unknown> {
  const values = Object.fromEntries(Object.entries(opts.values).map(([id, state]) => [id, { [id]: state }]));
  return {
    type: 'view_submission',
    team: { id: TEAM_ID, domain: 'acme' },
    user: { id: opts.user, username: opts.user.toLowerCase(), name: opts.user.toLowerCase(), team_id: TEAM_ID },
    api_app_id: 'A0COPILOT',
    token: 'verification-token',
    trigger_id: '8123456789.1234567890.0a1b2c3d4e5f',
    view: {
      id: 'V0MODAL',
      team_id: TEAM_ID,
      type: 'modal',
      callback_id: opts.callbackId,
      private_metadata: opts.privateMetadata,
      state: { values },
      hash: '1764064800.abcdef',
      title: { type: 'plain_text', text: 'Incident' },
      blocks: [],
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

/** A `message` event (the Events API envelope's inner event). */
export function messageEvent(opts: {
  channel: string;
  user: string;
  text: string;
  ts?: string;
  subtype?: string;
  botId?: string;
}): Record<string, unknown> {
  return {
    type: 'message',
    channel: opts.channel,
    user: opts.user,
    text: opts.text,
    ts: opts.ts ?? '1764064860.000300',
    event_ts: opts.ts ?? '1764064860.000300',
    channel_type: 'channel',
    ...(opts.subtype ? { subtype: opts.subtype } : {}),
    ...(opts.botId ? { bot_id: opts.botId } : {}),
  };
}
