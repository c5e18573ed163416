// mrkdwn as Slack renders it, with untrusted text kept as text: entities decoded once, nothing turned into HTML.
import { describe, expect, it } from 'vitest';
import { mrkdwnToHtml } from '../../../../sandbox/console/mrkdwn.js';

const names = {
  userName: (id: string) => ({ U0PRIMARY: 'Priya' })[id],
  channelName: (id: string) => ({ C0INC: 'inc-12-checkout' })[id],
};

describe('mrkdwn as Slack renders it', () => {
  it('formats bold, italic, strike, code, code blocks and quotes', () => {
    expect(mrkdwnToHtml('*error rate* _rising_ ~fixed~ `kubectl get pods`')).toBe(
      '<b>error rate</b> <i>rising</i> <s>fixed</s> <code>kubectl get pods</code>',
    );
    expect(mrkdwnToHtml('```\nSELECT * FROM t;\n```')).toBe('<pre>SELECT * FROM t;\n</pre>');
    expect(mrkdwnToHtml('&gt; the page\n&gt; *second*\nafter')).toBe(
      '<blockquote>the page<br><b>second</b></blockquote>after',
    );
  });

  it('shows mentions by name and links by label', () => {
    expect(mrkdwnToHtml('<@U0PRIMARY> see <#C0INC> <!here> <!channel> <https://ci.example/run/1|run 1>', names)).toBe(
      '<span class="mention">@Priya</span> see <span class="mention">#inc-12-checkout</span> ' +
        '<span class="mention">@here</span> <span class="mention">@channel</span> ' +
        '<a href="https://ci.example/run/1" target="_blank" rel="noopener noreferrer">run 1</a>',
    );
  });

  it('decodes Slack’s &lt; &gt; &amp; once and shows them as characters', () => {
    expect(mrkdwnToHtml('p99 &lt; 300ms &amp;&amp; 5xx &gt; 1%')).toBe('p99 &lt; 300ms &amp;&amp; 5xx &gt; 1%');
    // Typed as "&lt;" in Slack (sent as &amp;lt;): shown as the four characters, not as "<".
    expect(mrkdwnToHtml('&amp;lt;b&amp;gt;')).toBe('&amp;lt;b&amp;gt;');
  });

  it('keeps <script>, <img onerror> and javascript: links as text, raw or entity-encoded', () => {
    for (const src of [
      '<script>alert(1)</script>',
      '&lt;script&gt;alert(1)&lt;/script&gt;',
      '<img src=x onerror=alert(1)>',
      '&lt;img src=x onerror=alert(1)&gt;',
      '*<img src=x onerror=alert(1)>*',
    ]) {
      const html = mrkdwnToHtml(src);
      expect(html).not.toMatch(/<script|<img/i);
    }
    expect(mrkdwnToHtml('&lt;img src=x onerror=alert(1)&gt;')).toBe('&lt;img src=x onerror=alert(1)&gt;');
    for (const link of ['<javascript:alert(1)|open>', '<JavaScript:alert(1)>', '<data:text/html,<b>x</b>|x>']) {
      expect(mrkdwnToHtml(link)).not.toMatch(/<a |href/);
    }
    expect(mrkdwnToHtml('<javascript:alert(1)|open>')).toBe('&lt;javascript:alert(1)|open&gt;');
  });

  it('escapes a link label and a mention label', () => {
    expect(mrkdwnToHtml('<https://x.example|"><img src=x onerror=alert(1)>>')).not.toMatch(/<img/);
    expect(mrkdwnToHtml('<@U0NOBODY|<b>x</b>>')).not.toMatch(/<b>/);
  });
});
