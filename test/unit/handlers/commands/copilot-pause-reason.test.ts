// `/copilot pause [reason]`: Slack sends a slash command's text with &, < and > already escaped (&amp; &lt; &gt;),
// and with should_escape a typed @channel as <!channel>. The reason is shown in the channel as typed, once escaped:
// never double-escaped (`&amp;lt;` reads "&lt;"), never a live mention or link.
import { describe, expect, it } from 'vitest';
import { pauseReason } from '../../../../handlers/commands/copilot.js';

describe('pauseReason', () => {
  it('escapes the text Slack sent exactly once', () => {
    // Typed: deploy <50% & rising
    expect(pauseReason('deploy &lt;50% &amp; rising')).toBe('deploy &lt;50% &amp; rising');
  });

  it('keeps a typed entity as typed', () => {
    // Typed: &lt; (Slack sends &amp;lt;)
    expect(pauseReason('&amp;lt;')).toBe('&amp;lt;');
  });

  it('neutralizes what should_escape turns into mentions and links', () => {
    const out = pauseReason('<!channel> see <https://evil.example|docs> <@U0PRIMARY|priya>');
    expect(out).not.toMatch(/[<>]/);
    expect(out).toBe('&lt;!channel&gt; see &lt;https://evil.example|docs&gt; &lt;@U0PRIMARY|priya&gt;');
  });

  it('still escapes raw text sent unescaped', () => {
    expect(pauseReason('bad <rollbacks> today')).toBe('bad &lt;rollbacks&gt; today');
  });
});
