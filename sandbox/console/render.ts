// Block Kit to HTML for the console: messages and modals look as Slack would show them, and every string is escaped.
import { escapeHtml, mrkdwnToHtml, plainToHtml, type NameLookup } from './mrkdwn.js';

type Json = Record<string, unknown>;

/** What a rendered element needs to know to send a click back. */
export interface RenderContext {
  names: NameLookup;
  /** People for users_select menus. */
  people: { id: string; name: string }[];
  /** Where the element lives: a message (channel + ts) or a modal (viewId). */
  channel?: string;
  ts?: string;
  viewId?: string;
  /** Modal input errors by block_id. */
  errors?: Record<string, string>;
}

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A text object (plain_text or mrkdwn) to HTML. */
export function textObject(t: unknown, names: NameLookup): string {
  if (!isObj(t) || typeof t.text !== 'string') return '';
  return t.type === 'mrkdwn' ? mrkdwnToHtml(t.text, names) : plainToHtml(t.text);
}

function plain(t: unknown): string {
  return isObj(t) && typeof t.text === 'string' ? plainToHtml(t.text, t.emoji !== false) : '';
}

function attrs(values: Record<string, string | undefined>): string {
  return Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeHtml(v!)}"`)
    .join('');
}

function whereAttrs(ctx: RenderContext, blockId: string | undefined): string {
  return attrs({
    'data-channel': ctx.channel,
    'data-ts': ctx.ts,
    'data-view-id': ctx.viewId,
    'data-block-id': blockId,
  });
}

function options(el: Json): Json[] {
  if (Array.isArray(el.options)) return el.options.filter(isObj);
  if (Array.isArray(el.option_groups))
    return el.option_groups.filter(isObj).flatMap((g) => (Array.isArray(g.options) ? g.options.filter(isObj) : []));
  return [];
}

function imageSrc(url: unknown): string | undefined {
  return typeof url === 'string' && /^(https?:\/\/|\/)/i.test(url) ? url : undefined;
}

/**
 * A Block Kit confirmation dialog (an element's `confirm`) as HTML, as Slack shows it before delivering the click:
 * title, text (mrkdwn or plain, escaped), and the confirm / deny buttons with Slack's default labels.
 */
export function renderConfirm(confirm: Json, names: NameLookup): string {
  const danger = confirm.style === 'danger' ? ' danger' : ' primary';
  return (
    `<div class="sb-confirm" role="alertdialog">` +
    `<div class="sb-modal-title">${plain(confirm.title) || 'Are you sure?'}</div>` +
    `<div class="sb-modal-body sb-text">${textObject(confirm.text, names)}</div>` +
    `<div class="sb-modal-footer"><button type="button" class="sb-button" data-confirm-deny="1">${plain(confirm.deny) || 'Cancel'}</button>` +
    `<button type="button" class="sb-button${danger}" data-confirm-ok="1">${plain(confirm.confirm) || 'Yes'}</button></div>` +
    `</div>`
  );
}

/** An interactive or display element (button, menus, image, date picker) to HTML. */
export function renderElement(el: unknown, ctx: RenderContext, blockId: string | undefined): string {
  if (!isObj(el)) return '';
  const actionId = typeof el.action_id === 'string' ? el.action_id : undefined;
  const where = whereAttrs(ctx, blockId) + attrs({ 'data-action-id': actionId });
  switch (el.type) {
    case 'button': {
      const style = el.style === 'primary' || el.style === 'danger' ? ` ${el.style}` : '';
      const href = typeof el.url === 'string' && /^https?:\/\//i.test(el.url) ? el.url : undefined;
      const confirm = isObj(el.confirm) ? renderConfirm(el.confirm, ctx.names) : undefined;
      return `<button type="button" class="sb-button${style}"${where}${attrs({ 'data-kind': 'button', 'data-value': typeof el.value === 'string' ? el.value : undefined, 'data-url': href, 'data-confirm': confirm })}>${plain(el.text)}</button>`;
    }
    case 'static_select':
    case 'overflow':
    case 'radio_buttons': {
      const placeholder = el.type === 'overflow' ? '⋯' : plain(el.placeholder) || 'Select an item';
      const opts = options(el)
        .map((o) => `<option${attrs({ value: typeof o.value === 'string' ? o.value : '' })}>${plain(o.text)}</option>`)
        .join('');
      return `<select class="sb-select"${where}${attrs({ 'data-kind': 'select' })}><option value="" selected disabled>${placeholder}</option>${opts}</select>`;
    }
    case 'users_select': {
      const opts = ctx.people.map((p) => `<option${attrs({ value: p.id })}>${escapeHtml(p.name)}</option>`).join('');
      return `<select class="sb-select"${where}${attrs({ 'data-kind': 'select' })}><option value="" selected disabled>${plain(el.placeholder) || 'Select a user'}</option>${opts}</select>`;
    }
    case 'image': {
      const src = imageSrc(el.image_url);
      return src
        ? `<img class="sb-image-el"${attrs({ src, alt: typeof el.alt_text === 'string' ? el.alt_text : '' })}>`
        : '';
    }
    case 'plain_text':
    case 'mrkdwn':
      return `<span>${textObject(el, ctx.names)}</span>`;
    default:
      return `<span class="sb-unsupported">[${escapeHtml(String(el.type))}]</span>`;
  }
}

/** An input block's element as a form control (in modals). */
function renderInputControl(el: Json, ctx: RenderContext, blockId: string): string {
  const actionId = typeof el.action_id === 'string' ? el.action_id : `sa${blockId}`;
  const a = attrs({
    'data-input': '1',
    'data-block-id': blockId,
    'data-action-id': actionId,
    'data-type': String(el.type),
  });
  switch (el.type) {
    case 'plain_text_input':
    case 'email_text_input':
    case 'url_text_input':
    case 'number_input': {
      const value = typeof el.initial_value === 'string' ? el.initial_value : '';
      const ph = plain(el.placeholder);
      if (el.multiline === true)
        return `<textarea class="sb-input"${a}${attrs({ placeholder: isObj(el.placeholder) ? String(el.placeholder.text) : undefined })}>${escapeHtml(value)}</textarea>`;
      const type =
        el.type === 'email_text_input'
          ? 'email'
          : el.type === 'url_text_input'
            ? 'url'
            : el.type === 'number_input'
              ? 'number'
              : 'text';
      return `<input class="sb-input"${a}${attrs({ type, value, placeholder: ph ? ((el.placeholder as Json).text as string) : undefined })}>`;
    }
    case 'static_select':
    case 'radio_buttons':
    case 'multi_static_select':
    case 'checkboxes': {
      const multi = el.type === 'multi_static_select' || el.type === 'checkboxes';
      const initial = isObj(el.initial_option) ? String(el.initial_option.value) : undefined;
      const opts = options(el)
        .map(
          (o) =>
            `<option${attrs({ value: typeof o.value === 'string' ? o.value : '' })}${String(o.value) === initial ? ' selected' : ''}>${plain(o.text)}</option>`,
        )
        .join('');
      return `<select class="sb-select"${a}${multi ? ' multiple' : ''}>${multi ? '' : `<option value="">${plain(el.placeholder) || 'Select an item'}</option>`}${opts}</select>`;
    }
    case 'users_select':
    case 'multi_users_select': {
      const multi = el.type === 'multi_users_select';
      const opts = ctx.people
        .map(
          (p) =>
            `<option${attrs({ value: p.id })}${el.initial_user === p.id ? ' selected' : ''}>${escapeHtml(p.name)}</option>`,
        )
        .join('');
      return `<select class="sb-select"${a}${multi ? ' multiple' : ''}>${multi ? '' : `<option value="">${plain(el.placeholder) || 'Select a user'}</option>`}${opts}</select>`;
    }
    case 'datepicker':
      return `<input class="sb-input" type="date"${a}${attrs({ value: typeof el.initial_date === 'string' ? el.initial_date : undefined })}>`;
    case 'timepicker':
      return `<input class="sb-input" type="time"${a}${attrs({ value: typeof el.initial_time === 'string' ? el.initial_time : undefined })}>`;
    default:
      return `<input class="sb-input"${a}>`;
  }
}

function fallbackBlockId(blocks: unknown[], i: number, b: Json): string {
  return typeof b.block_id === 'string' ? b.block_id : `sb${i}`;
}

/** Blocks to HTML; ids of blocks without one match what the delivery side fills in (sb<index>). */
export function renderBlocks(blocks: unknown, ctx: RenderContext): string {
  if (!Array.isArray(blocks)) return '';
  return blocks
    .map((b, i) => {
      if (!isObj(b)) return '';
      const blockId = fallbackBlockId(blocks, i, b);
      switch (b.type) {
        case 'header':
          return `<div class="sb-header">${plain(b.text)}</div>`;
        case 'divider':
          return '<hr class="sb-divider">';
        case 'section': {
          const body = b.text ? `<div class="sb-text">${textObject(b.text, ctx.names)}</div>` : '';
          const fields = Array.isArray(b.fields)
            ? `<div class="sb-fields">${b.fields.map((f) => `<div class="sb-field">${textObject(f, ctx.names)}</div>`).join('')}</div>`
            : '';
          const accessory = b.accessory
            ? `<div class="sb-accessory">${renderElement(b.accessory, ctx, blockId)}</div>`
            : '';
          return `<div class="sb-section"><div class="sb-section-main">${body}${fields}</div>${accessory}</div>`;
        }
        case 'context':
          return `<div class="sb-context">${Array.isArray(b.elements) ? b.elements.map((e) => renderElement(e, ctx, blockId)).join('') : ''}</div>`;
        case 'actions':
          return `<div class="sb-actions">${Array.isArray(b.elements) ? b.elements.map((e) => renderElement(e, ctx, blockId)).join('') : ''}</div>`;
        case 'image': {
          const src = imageSrc(b.image_url);
          const title = b.title ? `<div class="sb-image-title">${plain(b.title)}</div>` : '';
          return src
            ? `<figure class="sb-image">${title}<img${attrs({ src, alt: typeof b.alt_text === 'string' ? b.alt_text : '' })}></figure>`
            : '';
        }
        case 'input': {
          const el = isObj(b.element) ? b.element : {};
          const error = ctx.errors?.[blockId];
          return `<label class="sb-inputblock"><span class="sb-label">${plain(b.label)}${b.optional === true ? ' <em>(optional)</em>' : ''}</span>${renderInputControl(el, ctx, blockId)}${b.hint ? `<span class="sb-hint">${plain(b.hint)}</span>` : ''}${error ? `<span class="sb-error">${escapeHtml(error)}</span>` : ''}</label>`;
        }
        case 'markdown':
          return `<div class="sb-text">${typeof b.text === 'string' ? plainToHtml(b.text) : ''}</div>`;
        case 'rich_text':
          return `<div class="sb-text">${escapeHtml(richTextToPlain(b))}</div>`;
        default:
          return `<div class="sb-unsupported">[${escapeHtml(String(b.type))} block]</div>`;
      }
    })
    .join('');
}

function richTextToPlain(node: unknown): string {
  if (!isObj(node)) return '';
  if (typeof node.text === 'string') return node.text;
  if (node.type === 'user' && typeof node.user_id === 'string') return `@${node.user_id}`;
  if (node.type === 'link' && typeof node.url === 'string') return node.url;
  return Array.isArray(node.elements) ? node.elements.map(richTextToPlain).join('') : '';
}

/** A modal as a dialog: title, blocks (inputs become form controls), errors, close and submit. */
export function renderModal(view: Json, ctx: RenderContext): string {
  const general = ctx.errors?._ ? `<div class="sb-error">${escapeHtml(ctx.errors._)}</div>` : '';
  const submit = view.submit
    ? `<button type="submit" class="sb-button primary" data-modal-submit="1">${plain(view.submit)}</button>`
    : '';
  return (
    `<form class="sb-modal"${attrs({ 'data-view-id': ctx.viewId })}>` +
    `<div class="sb-modal-title">${plain(view.title)}</div>` +
    `<div class="sb-modal-body">${renderBlocks(view.blocks, ctx)}${general}</div>` +
    `<div class="sb-modal-footer"><button type="button" class="sb-button" data-modal-close="1">${plain(view.close) || 'Cancel'}</button>${submit}</div>` +
    `</form>`
  );
}
