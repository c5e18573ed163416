// The one Block Kit type every builder returns: Slack's own (from @slack/bolt's re-export of @slack/types).
import type { types } from '@slack/bolt';

export type KnownBlock = types.KnownBlock;
export type Button = types.Button;
export type MrkdwnElement = types.MrkdwnElement;
export type InputBlock = types.InputBlock;
export type InputBlockElement = types.InputBlockElement;
export type PlainTextOption = types.PlainTextOption;
export type SlackModalView = types.ModalView;
