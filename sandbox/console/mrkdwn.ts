// Slack's mrkdwn to HTML for the console. Everything in the text is untrusted: it is escaped, and only http(s)/mailto links survive.
import { emojify } from './emoji.js';

/** Names for mentions: user and channel ids to display names. */
export interface NameLookup {
  userName(id: string): string | undefined;
  channelName(id: string): string | undefined;
}

const NO_NAMES: NameLookup = { userName: () => undefined, channelName: () => undefined };

/** Escapes the five HTML-significant characters, so the result is safe in text and in quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Slack sends &, < and > escaped in text; undo that before escaping for HTML (so "&amp;lt;" stays visible as "&lt;"). */
function decodeSlackEntities(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Text for HTML: Slack's entities decoded, then escaped. */
function text(s: string): string {
  return escapeHtml(decodeSlackEntities(s));
}

/** Prose for HTML: escaped text with emoji. */
function prose(s: string): string {
  return emojify(text(s));
}

/** A link only when the URL's scheme is harmless. */
function safeHref(url: string): string | undefined {
  const decoded = decodeSlackEntities(url.trim());
  return /^(https?:\/\/|mailto:)/i.test(decoded) ? decoded : undefined;
}

function controlSequence(inner: string, names: NameLookup): string {
  const [target = '', ...rest] = inner.split('|');
  const label = rest.join('|');
  if (target.startsWith('@')) {
    const id = target.slice(1);
    return `<span class="mention">@${text(names.userName(id) ?? (label || id))}</span>`;
  }
  if (target.startsWith('#')) {
    const id = target.slice(1);
    return `<span class="mention">#${text(names.channelName(id) ?? (label || id))}</span>`;
  }
  if (target.startsWith('!')) {
    const cmd = target.slice(1);
    if (cmd === 'here' || cmd === 'channel' || cmd === 'everyone') return `<span class="mention">@${cmd}</span>`;
    if (cmd.startsWith('subteam^')) return `<span class="mention">${text(label || `@${cmd.slice(8)}`)}</span>`;
    return text(label || cmd);
  }
  const href = safeHref(target);
  if (!href) return text(`<${inner}>`);
  return `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${prose(label || target)}</a>`;
}

const INLINE =
  /`([^`\n]+)`|<([^<>\n]+)>|(^|[^\w*])\*(?!\s)([^*\n]+?)\*(?![\w*])|(^|[^\w_])_(?!\s)([^_\n]+?)_(?![\w_])|(^|[^\w~])~(?!\s)([^~\n]+?)~(?![\w~])/g;

function inline(line: string, names: NameLookup): string {
  let out = '';
  let last = 0;
  for (const m of line.matchAll(INLINE)) {
    const start = m.index;
    out += prose(line.slice(last, start));
    if (m[1] !== undefined) out += `<code>${text(m[1])}</code>`;
    else if (m[2] !== undefined) out += controlSequence(m[2], names);
    else if (m[4] !== undefined) out += `${text(m[3]!)}<b>${inline(m[4], names)}</b>`;
    else if (m[6] !== undefined) out += `${text(m[5]!)}<i>${inline(m[6], names)}</i>`;
    else if (m[8] !== undefined) out += `${text(m[7]!)}<s>${inline(m[8], names)}</s>`;
    last = start + m[0].length;
  }
  return out + prose(line.slice(last));
}

/** Renders mrkdwn (bold, italic, strike, code, code blocks, quotes, links, mentions) to safe HTML. */
export function mrkdwnToHtml(source: string, names: NameLookup = NO_NAMES): string {
  const parts = source.split(/```/);
  let html = '';
  parts.forEach((part, i) => {
    // Odd parts sit between fences: preformatted, never formatted further.
    if (i % 2 === 1 && i < parts.length - 1) {
      html += `<pre>${text(part.replace(/^\n/, ''))}</pre>`;
      return;
    }
    const chunk = i % 2 === 1 ? '```' + part : part;
    const lines = chunk.split('\n');
    const rendered: string[] = [];
    let quote: string[] = [];
    const flushQuote = () => {
      if (quote.length) rendered.push(`<blockquote>${quote.join('<br>')}</blockquote>`);
      quote = [];
    };
    for (const line of lines) {
      const q = /^(?:&gt;|>)\s?(.*)$/.exec(line);
      if (q) quote.push(inline(q[1]!, names));
      else {
        flushQuote();
        rendered.push(inline(line, names));
      }
    }
    flushQuote();
    html += rendered.join('<br>').replace(/(<\/blockquote>)<br>/g, '$1');
  });
  return html;
}

/** A plain_text object's text: escaped, nothing interpreted. */
export function plainToHtml(source: string, emoji = true): string {
  const html = escapeHtml(source).replace(/\n/g, '<br>');
  return emoji ? emojify(html) : html;
}
