// The one escape for untrusted text and the one builder of links to untrusted URLs.
import { describe, expect, it } from 'vitest';
import { escapeMrkdwn, mrkdwnLink } from '../../../blocks/limits.js';

describe('escapeMrkdwn', () => {
  it('escapes &, < and > as Slack asks, so mentions, broadcasts and links show as typed', () => {
    expect(escapeMrkdwn('<!channel> <!here> <@U0EVIL> <!subteam^S0EVIL|@oncall> a & b')).toBe(
      '&lt;!channel&gt; &lt;!here&gt; &lt;@U0EVIL&gt; &lt;!subteam^S0EVIL|@oncall&gt; a &amp; b',
    );
    expect(escapeMrkdwn('<https://evil.example|https://good.example>')).toBe(
      '&lt;https://evil.example|https://good.example&gt;',
    );
  });

  it('escapes & first, so text that is already an entity stays visible as typed', () => {
    expect(escapeMrkdwn('&lt;!channel&gt;')).toBe('&amp;lt;!channel&amp;gt;');
  });

  it('keeps a backtick from closing the code span the text sits in', () => {
    expect(escapeMrkdwn('svc` *bold* `x')).toBe('svcˋ *bold* ˋx');
    expect(escapeMrkdwn('```')).not.toContain('`');
  });

  it('neutralises bare @channel, @here and @everyone, in any case, and only those', () => {
    const out = escapeMrkdwn('@channel @HERE @everyone @here-team @priya');
    expect(out).not.toMatch(/@(channel|here|everyone)\b/i);
    expect(out.replace(/\u2060/g, '')).toBe('@channel @HERE @everyone @here-team @priya');
    expect(out).toContain('@priya');
  });

  it('drops bidi controls that would make text read differently from what it is', () => {
    expect(escapeMrkdwn('deploy \u202Egnp.exe')).toBe('deploy gnp.exe');
  });

  it('leaves ordinary text alone', () => {
    expect(escapeMrkdwn('checkout 5xx ratio above 5% for 5 minutes (p99: 1.2 s)')).toBe(
      'checkout 5xx ratio above 5% for 5 minutes (p99: 1.2 s)',
    );
  });
});

describe('mrkdwnLink', () => {
  it('links http(s) URLs with an escaped label', () => {
    expect(mrkdwnLink('https://runbooks.example.com/rb?a=1&b=2', 'Runbook <!here>')).toBe(
      '<https://runbooks.example.com/rb?a=1&amp;b=2|Runbook &lt;!here&gt;>',
    );
  });

  it('percent-encodes what would end the link early, so a URL cannot disguise itself as another', () => {
    expect(mrkdwnLink('https://evil.example/a|https://good.example>', 'Source')).toBe(
      '<https://evil.example/a%7Chttps://good.example%3E|Source>',
    );
  });

  it('does not link other schemes: the label is shown as text', () => {
    expect(mrkdwnLink('javascript:alert(1)', 'Source')).toBe('Source');
    expect(mrkdwnLink('slack://channel?id=C1', '<!channel>')).toBe('&lt;!channel&gt;');
  });
});
