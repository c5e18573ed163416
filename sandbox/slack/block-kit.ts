// Block Kit validation with Slack's limits: what makes chat.postMessage or views.open answer invalid_blocks.

type Json = Record<string, unknown>;

const MESSAGE_BLOCK_TYPES = new Set([
  'section',
  'header',
  'divider',
  'context',
  'actions',
  'image',
  'input',
  'rich_text',
  'file',
  'video',
  'markdown',
]);
const INTERACTIVE_TYPES = new Set([
  'button',
  'static_select',
  'external_select',
  'users_select',
  'conversations_select',
  'channels_select',
  'multi_static_select',
  'multi_users_select',
  'multi_external_select',
  'multi_conversations_select',
  'multi_channels_select',
  'overflow',
  'datepicker',
  'timepicker',
  'datetimepicker',
  'checkboxes',
  'radio_buttons',
  'plain_text_input',
  'email_text_input',
  'url_text_input',
  'number_input',
  'rich_text_input',
]);
const INPUT_ELEMENT_TYPES = new Set([
  'plain_text_input',
  'static_select',
  'users_select',
  'conversations_select',
  'channels_select',
  'external_select',
  'multi_static_select',
  'multi_users_select',
  'multi_conversations_select',
  'multi_channels_select',
  'multi_external_select',
  'datepicker',
  'timepicker',
  'datetimepicker',
  'checkboxes',
  'radio_buttons',
  'email_text_input',
  'url_text_input',
  'number_input',
  'rich_text_input',
  'file_input',
]);

/** Where blocks are shown: messages allow up to 50 blocks, modals and home tabs up to 100. */
export type Surface = 'message' | 'modal';

/**
 * Checks blocks against Slack's rules. Returns Slack-style messages
 * (`[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]`); empty when the blocks are valid.
 */
export function validateBlocks(blocks: unknown, surface: Surface = 'message'): string[] {
  const errors: string[] = [];
  const err = (pointer: string, message: string) => errors.push(`[ERROR] ${message} [json-pointer:${pointer}]`);
  if (!Array.isArray(blocks)) {
    err('/blocks', 'must be an array');
    return errors;
  }
  const maxBlocks = surface === 'message' ? 50 : 100;
  if (blocks.length > maxBlocks) err('/blocks', `no more than ${maxBlocks} items allowed`);
  const blockIds = new Set<string>();
  const actionIds = new Set<string>();

  const text = (
    value: unknown,
    ptr: string,
    max: number,
    kinds: ('plain_text' | 'mrkdwn')[] = ['plain_text', 'mrkdwn'],
  ) => {
    if (!isObject(value)) return err(ptr, 'must be a text object');
    if (!kinds.includes(value.type as 'plain_text')) return err(`${ptr}/type`, `must be one of ${kinds.join(', ')}`);
    if (typeof value.text !== 'string') return err(`${ptr}/text`, 'must be a string');
    if (value.text.length === 0) return err(`${ptr}/text`, 'must be more than 0 characters');
    if (value.text.length > max) err(`${ptr}/text`, `must be less than ${max + 1} characters`);
  };

  const option = (o: unknown, ptr: string) => {
    if (!isObject(o)) return err(ptr, 'must be an option object');
    text(o.text, `${ptr}/text`, 75);
    if (typeof o.value !== 'string') err(`${ptr}/value`, 'must be a string');
    else if (o.value.length > 150) err(`${ptr}/value`, 'must be less than 151 characters');
  };

  const element = (el: unknown, ptr: string, allowed: Set<string>) => {
    if (!isObject(el)) return err(ptr, 'must be an object');
    const type = el.type;
    if (typeof type !== 'string' || !allowed.has(type))
      return err(`${ptr}/type`, `unsupported type \`${String(type)}\``);
    if (INTERACTIVE_TYPES.has(type)) {
      if (el.action_id !== undefined) {
        if (typeof el.action_id !== 'string' || el.action_id.length === 0)
          err(`${ptr}/action_id`, 'must be a non-empty string');
        else if (el.action_id.length > 255) err(`${ptr}/action_id`, 'must be less than 256 characters');
        else if (actionIds.has(el.action_id)) err(`${ptr}/action_id`, `duplicate action_id \`${el.action_id}\``);
        else actionIds.add(el.action_id);
      }
    }
    switch (type) {
      case 'button':
        text(el.text, `${ptr}/text`, 75, ['plain_text']);
        if (el.value !== undefined && (typeof el.value !== 'string' || el.value.length > 2000))
          err(`${ptr}/value`, 'must be a string of less than 2001 characters');
        if (el.url !== undefined && (typeof el.url !== 'string' || el.url.length > 3000))
          err(`${ptr}/url`, 'must be a string of less than 3001 characters');
        if (el.style !== undefined && el.style !== 'primary' && el.style !== 'danger')
          err(`${ptr}/style`, 'must be one of primary, danger');
        break;
      case 'static_select':
      case 'multi_static_select': {
        if (el.placeholder !== undefined) text(el.placeholder, `${ptr}/placeholder`, 150, ['plain_text']);
        const groups = el.option_groups;
        if (Array.isArray(groups))
          groups.forEach((g, i) =>
            isObject(g) && Array.isArray(g.options)
              ? g.options.forEach((o, j) => option(o, `${ptr}/option_groups/${i}/options/${j}`))
              : err(`${ptr}/option_groups/${i}`, 'must have options'),
          );
        else if (!Array.isArray(el.options)) err(`${ptr}/options`, 'must provide either options or option_groups');
        else {
          if (el.options.length > 100) err(`${ptr}/options`, 'no more than 100 items allowed');
          el.options.forEach((o, i) => option(o, `${ptr}/options/${i}`));
        }
        break;
      }
      case 'overflow':
      case 'checkboxes':
      case 'radio_buttons':
        if (!Array.isArray(el.options)) err(`${ptr}/options`, 'must be an array');
        else el.options.forEach((o, i) => option(o, `${ptr}/options/${i}`));
        break;
      case 'image':
        if (typeof el.image_url !== 'string' && !isObject(el.slack_file))
          err(`${ptr}/image_url`, 'must provide image_url or slack_file');
        if (typeof el.alt_text !== 'string') err(`${ptr}/alt_text`, 'must be a string');
        break;
      case 'plain_text_input':
        if (el.placeholder !== undefined) text(el.placeholder, `${ptr}/placeholder`, 150, ['plain_text']);
        if (el.max_length !== undefined && (typeof el.max_length !== 'number' || el.max_length > 3000))
          err(`${ptr}/max_length`, 'must be a number no more than 3000');
        break;
      default:
        break;
    }
  };

  const contextElements = new Set(['image', 'plain_text', 'mrkdwn']);
  const actionsElements = new Set(
    [...INTERACTIVE_TYPES].filter((t) => !INPUT_ELEMENT_TYPES.has(t) || /select|picker|checkboxes|radio/.test(t)),
  );
  const accessoryElements = new Set([...actionsElements, 'image']);

  blocks.forEach((block, i) => {
    const ptr = `/blocks/${i}`;
    // Slack wants action_ids unique within a block; messages here are held to one message-wide set so that a
    // click always names one element, while modals keep Slack's per-block rule (inputs often all use `value`).
    if (surface === 'modal') actionIds.clear();
    if (!isObject(block)) return err(ptr, 'must be an object');
    const type = block.type;
    if (typeof type !== 'string' || !MESSAGE_BLOCK_TYPES.has(type))
      return err(`${ptr}/type`, `unsupported type \`${String(type)}\``);
    if (block.block_id !== undefined) {
      if (typeof block.block_id !== 'string' || block.block_id.length === 0 || block.block_id.length > 255)
        err(`${ptr}/block_id`, 'must be a string of 1 to 255 characters');
      else if (blockIds.has(block.block_id)) err(`${ptr}/block_id`, `duplicate block_id \`${block.block_id}\``);
      else blockIds.add(block.block_id);
    }
    switch (type) {
      case 'header':
        text(block.text, `${ptr}/text`, 150, ['plain_text']);
        break;
      case 'section': {
        const hasText = block.text !== undefined;
        const hasFields = block.fields !== undefined;
        if (!hasText && !hasFields) err(ptr, 'must provide either text or fields');
        if (hasText) text(block.text, `${ptr}/text`, 3000);
        if (hasFields) {
          if (!Array.isArray(block.fields)) err(`${ptr}/fields`, 'must be an array');
          else {
            if (block.fields.length > 10) err(`${ptr}/fields`, 'no more than 10 items allowed');
            block.fields.forEach((f, j) => text(f, `${ptr}/fields/${j}`, 2000));
          }
        }
        if (block.accessory !== undefined) element(block.accessory, `${ptr}/accessory`, accessoryElements);
        break;
      }
      case 'context':
        if (!Array.isArray(block.elements) || block.elements.length === 0)
          err(`${ptr}/elements`, 'must be a non-empty array');
        else {
          if (block.elements.length > 10) err(`${ptr}/elements`, 'no more than 10 items allowed');
          block.elements.forEach((el, j) => {
            const p = `${ptr}/elements/${j}`;
            if (isObject(el) && (el.type === 'plain_text' || el.type === 'mrkdwn')) text(el, p, 3000);
            else element(el, p, contextElements);
          });
        }
        break;
      case 'actions':
        if (!Array.isArray(block.elements) || block.elements.length === 0)
          err(`${ptr}/elements`, 'must be a non-empty array');
        else {
          if (block.elements.length > 25) err(`${ptr}/elements`, 'no more than 25 items allowed');
          block.elements.forEach((el, j) => element(el, `${ptr}/elements/${j}`, actionsElements));
        }
        break;
      case 'image':
        if (typeof block.image_url !== 'string' && !isObject(block.slack_file))
          err(`${ptr}/image_url`, 'must provide image_url or slack_file');
        else if (typeof block.image_url === 'string' && block.image_url.length > 3000)
          err(`${ptr}/image_url`, 'must be less than 3001 characters');
        if (typeof block.alt_text !== 'string') err(`${ptr}/alt_text`, 'must be a string');
        else if (block.alt_text.length > 2000) err(`${ptr}/alt_text`, 'must be less than 2001 characters');
        if (block.title !== undefined) text(block.title, `${ptr}/title`, 2000, ['plain_text']);
        break;
      case 'input':
        text(block.label, `${ptr}/label`, 2000, ['plain_text']);
        if (block.hint !== undefined) text(block.hint, `${ptr}/hint`, 2000, ['plain_text']);
        element(block.element, `${ptr}/element`, INPUT_ELEMENT_TYPES);
        break;
      case 'markdown':
        if (typeof block.text !== 'string') err(`${ptr}/text`, 'must be a string');
        else if (block.text.length > 12000) err(`${ptr}/text`, 'must be less than 12001 characters');
        break;
      default:
        break;
    }
  });
  return errors;
}

/** Checks a modal view: type, title, submit/close, blocks and private_metadata. Empty when valid. */
export function validateView(view: unknown): string[] {
  const errors: string[] = [];
  const err = (pointer: string, message: string) => errors.push(`[ERROR] ${message} [json-pointer:${pointer}]`);
  if (!isObject(view)) return ['[ERROR] must be an object [json-pointer:/view]'];
  if (view.type !== 'modal' && view.type !== 'home') err('/view/type', 'must be one of modal, home');
  const plain = (v: unknown, ptr: string, max: number) => {
    if (!isObject(v) || v.type !== 'plain_text' || typeof v.text !== 'string' || v.text.length === 0)
      err(ptr, 'must be a plain_text text object');
    else if (v.text.length > max) err(`${ptr}/text`, `must be less than ${max + 1} characters`);
  };
  if (view.type === 'modal') {
    plain(view.title, '/view/title', 24);
    if (view.submit !== undefined) plain(view.submit, '/view/submit', 24);
    if (view.close !== undefined) plain(view.close, '/view/close', 24);
    const blocks = Array.isArray(view.blocks) ? view.blocks : [];
    if (view.submit === undefined && blocks.some((b) => isObject(b) && b.type === 'input'))
      err('/view/submit', 'must provide submit when blocks contain input');
  }
  if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000)
    err('/view/private_metadata', 'must be less than 3001 characters');
  if (typeof view.callback_id === 'string' && view.callback_id.length > 255)
    err('/view/callback_id', 'must be less than 256 characters');
  for (const e of validateBlocks(view.blocks, 'modal'))
    errors.push(e.replace('[json-pointer:/blocks', '[json-pointer:/view/blocks'));
  return errors;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * How much text Slack allows in one message's blocks together (chat.postMessage and chat.update answer
 * `msg_blocks_too_long` past it). Slack documents 12,000 only for markdown blocks; users report the same cut-off for
 * sections, contexts and headers (11,300 to 13,300 characters depending on the blocks around them), so the local
 * workspace applies 12,000 to the text of every block.
 */
export const MESSAGE_BLOCKS_TEXT_MAX = 12_000;

/** The characters of every `text` string anywhere in the blocks. */
export function blocksText(blocks: unknown): number {
  if (Array.isArray(blocks)) return blocks.reduce((n: number, b) => n + blocksText(b), 0);
  if (!isObject(blocks)) return 0;
  return Object.entries(blocks).reduce(
    (n, [key, value]) => n + (key === 'text' && typeof value === 'string' ? value.length : blocksText(value)),
    0,
  );
}
