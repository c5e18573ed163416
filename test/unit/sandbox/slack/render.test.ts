// The console's renderers: mrkdwn and Block Kit to HTML, where untrusted text must never become markup.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { escapeHtml, mrkdwnToHtml } from '../../../../sandbox/console/mrkdwn.js';
import { renderBlocks, renderModal, type RenderContext } from '../../../../sandbox/console/render.js';
import { encodeTypedText } from '../../../../sandbox/slack/deliver.js';
import { WorkspaceState } from '../../../../sandbox/slack/workspace-state.js';

const names = {
  userName: (id: string) => ({ U0PRIMARY: 'Priya' })[id],
  channelName: (id: string) => ({ C0ALERTS: 'alerts' })[id],
};
const ctx: RenderContext = { names, people: [{ id: 'U0PRIMARY', name: 'Priya' }], channel: 'C1', ts: '1.000001' };

/** Every :shortcode: the Block Kit builders and presenters write, from their sources. */
function shortcodesEmitted(): string[] {
  const found = new Set<string>();
  for (const dir of ['blocks', 'presenters']) {
    for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')))
      for (const m of readFileSync(join(dir, file), 'utf8').matchAll(/:([a-z_]+):/g)) found.add(m[1]!);
  }
  return [...found].sort();
}

describe('mrkdwn to HTML', () => {
  it('shows every emoji shortcode the app emits as an emoji, not as text', () => {
    const codes = shortcodesEmitted();
    expect(codes).toContain('arrow_forward');
    expect(codes.filter((c) => mrkdwnToHtml(`:${c}:`) === `:${c}:`)).toEqual([]);
  });

  it('renders bold, italic, strike, code and code blocks', () => {
    expect(mrkdwnToHtml('*bold* _italic_ ~gone~ `x < y`')).toBe(
      '<b>bold</b> <i>italic</i> <s>gone</s> <code>x &lt; y</code>',
    );
    expect(mrkdwnToHtml('before\n```\nline *1*\n<b>2</b>```\nafter')).toBe(
      'before<br><pre>line *1*\n&lt;b&gt;2&lt;/b&gt;</pre><br>after',
    );
  });

  it('leaves arithmetic and snake_case alone', () => {
    expect(mrkdwnToHtml('2*3*4 and error_rate_total')).toBe('2*3*4 and error_rate_total');
  });

  it('renders links, user and channel mentions, and special mentions', () => {
    expect(
      mrkdwnToHtml('<https://grafana.example/d/1|dashboard> for <@U0PRIMARY> in <#C0ALERTS|alerts> <!here>', names),
    ).toBe(
      '<a href="https://grafana.example/d/1" target="_blank" rel="noopener noreferrer">dashboard</a> for <span class="mention">@Priya</span> in <span class="mention">#alerts</span> <span class="mention">@here</span>',
    );
    expect(mrkdwnToHtml('<@U0UNKNOWN>')).toBe('<span class="mention">@U0UNKNOWN</span>');
  });

  it('renders known emoji shortcodes and leaves unknown ones as typed', () => {
    expect(mrkdwnToHtml(':rotating_light: *SEV1* :not_an_emoji: `:fire:`')).toBe(
      '🚨 <b>SEV1</b> :not_an_emoji: <code>:fire:</code>',
    );
    expect(renderBlocks([{ type: 'header', text: { type: 'plain_text', text: ':fire: <b>' } }], ctx)).toBe(
      '<div class="sb-header">🔥 &lt;b&gt;</div>',
    );
  });

  it('renders quotes', () => {
    expect(mrkdwnToHtml('&gt; quoted\nnot')).toBe('<blockquote>quoted</blockquote>not');
  });

  it('never lets text inject markup or script', () => {
    const html = mrkdwnToHtml('<script>alert(1)</script> <img src=x onerror=alert(1)> &lt;b&gt;');
    expect(html).not.toMatch(/<script|<img|<b>/);
    expect(html).toBe('&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt; &lt;b&gt;');
  });

  it('drops dangerous link schemes and escapes quotes in URLs', () => {
    expect(mrkdwnToHtml('<javascript:alert(1)|click me>')).toBe('&lt;javascript:alert(1)|click me&gt;');
    const html = mrkdwnToHtml('<https://x.example/" onmouseover="alert(1)|x>');
    expect(html).toBe(
      '<a href="https://x.example/&quot; onmouseover=&quot;alert(1)" target="_blank" rel="noopener noreferrer">x</a>',
    );
  });

  it('escapes a mention label that carries markup', () => {
    expect(mrkdwnToHtml('<@U0NOBODY|<img src=x>>')).not.toContain('<img');
  });

  it('escapes all five HTML characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});

describe('Block Kit to HTML', () => {
  it('renders a header, section with fields and a button accessory, context, divider, image and actions', () => {
    const html = renderBlocks(
      [
        { type: 'header', text: { type: 'plain_text', text: 'INC-7 <checkout>' } },
        {
          type: 'section',
          block_id: 'hyp',
          text: { type: 'mrkdwn', text: '*Bad deploy*' },
          fields: [{ type: 'mrkdwn', text: '*Service*\ncheckout' }],
          accessory: {
            type: 'button',
            action_id: 'incident_show_evidence',
            text: { type: 'plain_text', text: 'Evidence' },
            value: 'INC-7',
          },
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'by <@U0PRIMARY>' }] },
        { type: 'divider' },
        { type: 'image', image_url: 'https://charts.example/a.png', alt_text: 'error rate' },
        {
          type: 'actions',
          block_id: 'act',
          elements: [
            {
              type: 'button',
              action_id: 'remediation_approve',
              style: 'primary',
              text: { type: 'plain_text', text: 'Approve' },
              value: 'r1',
            },
            {
              type: 'button',
              action_id: 'remediation_reject',
              style: 'danger',
              text: { type: 'plain_text', text: 'Reject' },
            },
            {
              type: 'static_select',
              action_id: 'pick',
              placeholder: { type: 'plain_text', text: 'Severity' },
              options: [{ text: { type: 'plain_text', text: 'SEV1' }, value: 'sev1' }],
            },
          ],
        },
      ],
      ctx,
    );
    expect(html).toContain('<div class="sb-header">INC-7 &lt;checkout&gt;</div>');
    expect(html).toContain('<b>Bad deploy</b>');
    expect(html).toContain('<div class="sb-field"><b>Service</b><br>checkout</div>');
    expect(html).toContain(
      '<button type="button" class="sb-button" data-channel="C1" data-ts="1.000001" data-block-id="hyp" data-action-id="incident_show_evidence" data-kind="button" data-value="INC-7">Evidence</button>',
    );
    expect(html).toContain('by <span class="mention">@Priya</span>');
    expect(html).toContain('<hr class="sb-divider">');
    expect(html).toContain('<img src="https://charts.example/a.png" alt="error rate">');
    expect(html).toContain('class="sb-button primary"');
    expect(html).toContain('class="sb-button danger"');
    expect(html).toContain('<option value="sev1">SEV1</option>');
  });

  it('escapes button values, texts and unknown block types', () => {
    const html = renderBlocks(
      [
        {
          type: 'actions',
          elements: [
            {
              type: 'button',
              action_id: 'a"><script>',
              text: { type: 'plain_text', text: '<b>x</b>' },
              value: '"><img src=x onerror=1>',
            },
          ],
        },
        { type: 'evil<script>' },
      ],
      ctx,
    );
    expect(html).not.toMatch(/<script|<img|<b>/);
    expect(html).toContain('data-action-id="a&quot;&gt;&lt;script&gt;"');
  });

  it("carries a button's confirm dialog (title, mrkdwn text, labels) escaped in the button, as Slack asks before the click", () => {
    const confirm = {
      title: { type: 'plain_text', text: 'Approve a high-risk action?' },
      text: { type: 'mrkdwn', text: '*Restart* `checkout` for <@U0PRIMARY>? <script>alert(1)</script>' },
      confirm: { type: 'plain_text', text: 'Approve' },
      deny: { type: 'plain_text', text: 'Not yet' },
      style: 'danger',
    };
    const html = renderBlocks(
      [
        {
          type: 'actions',
          elements: [
            {
              type: 'button',
              action_id: 'remediation_approve',
              text: { type: 'plain_text', text: 'Approve' },
              value: 'r1',
              confirm,
            },
          ],
        },
      ],
      ctx,
    );
    expect(html).not.toMatch(/<script|<b>|<div class="sb-confirm/);
    const attr = /data-confirm="([^"]*)"/.exec(html)?.[1];
    expect(attr).toBeDefined();
    // What the browser reads from the attribute (dataset) is the dialog's HTML, itself escaped.
    const dialog = attr!
      .replaceAll('&quot;', '"')
      .replaceAll('&#39;', "'")
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>')
      .replaceAll('&amp;', '&');
    expect(dialog).toBe(
      '<div class="sb-confirm" role="alertdialog"><div class="sb-modal-title">Approve a high-risk action?</div>' +
        '<div class="sb-modal-body sb-text"><b>Restart</b> <code>checkout</code> for <span class="mention">@Priya</span>? &lt;script&gt;alert(1)&lt;/script&gt;</div>' +
        '<div class="sb-modal-footer"><button type="button" class="sb-button" data-confirm-deny="1">Not yet</button><button type="button" class="sb-button danger" data-confirm-ok="1">Approve</button></div></div>',
    );
    expect(
      renderBlocks(
        [{ type: 'actions', elements: [{ type: 'button', action_id: 'x', text: { type: 'plain_text', text: 'X' } }] }],
        ctx,
      ),
    ).not.toContain('data-confirm');
  });

  it('refuses javascript: image URLs', () => {
    expect(renderBlocks([{ type: 'image', image_url: 'javascript:alert(1)', alt_text: 'x' }], ctx)).toBe('');
  });

  it('renders a modal with inputs, the person picker and errors', () => {
    const html = renderModal(
      {
        title: { type: 'plain_text', text: 'Declare' },
        submit: { type: 'plain_text', text: 'Go' },
        blocks: [
          {
            type: 'input',
            block_id: 'title',
            label: { type: 'plain_text', text: 'Title' },
            element: { type: 'plain_text_input', action_id: 'v' },
          },
          {
            type: 'input',
            block_id: 'lead',
            label: { type: 'plain_text', text: 'Lead' },
            element: { type: 'users_select', action_id: 'v' },
          },
        ],
      },
      { ...ctx, channel: undefined, ts: undefined, viewId: 'V1', errors: { title: 'Too <short>' } },
    );
    expect(html).toContain('<form class="sb-modal" data-view-id="V1">');
    expect(html).toContain('data-input="1" data-block-id="title" data-action-id="v" data-type="plain_text_input"');
    expect(html).toContain('<option value="U0PRIMARY">Priya</option>');
    expect(html).toContain('<span class="sb-error">Too &lt;short&gt;</span>');
    expect(html).toContain('data-modal-submit="1">Go</button>');
  });
});

describe('what a person types', () => {
  it('is sent the way Slack sends it: entities escaped, @handles and #channels as mentions', () => {
    const state = new WorkspaceState();
    expect(encodeTypedText('hand over to @sam in #oncall: a < b & c', state)).toBe(
      'hand over to <@U0SECONDARY> in <#C0ONCALL|oncall>: a &lt; b &amp; c',
    );
    expect(encodeTypedText('commander @maria @nobody', state, true)).toBe('commander <@U0MANAGER|maria> @nobody');
    expect(mrkdwnToHtml(encodeTypedText('<script>', state))).toBe('&lt;script&gt;');
  });
});
