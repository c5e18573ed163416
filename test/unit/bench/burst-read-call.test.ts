// The burst bench reads first messages and briefings from what the local workspace was sent. Its reading must follow
// the pointer lines as blocks/digest.ts writes them, full and compact: when it did not, a 1,000-page burst printed
// 882 incidents without a first message that had one (compact lines were not recognised).
import { describe, expect, it } from 'vitest';
import { readCall } from '../../../bench/burst.js';
import { buildPointerDigestBlocks, type DigestPointer } from '../../../blocks/digest.js';

function pointer(n: number, opts: { channel?: boolean; headline?: boolean } = {}): DigestPointer {
  return {
    view: {
      publicId: `INC-${n}`,
      severity: 'sev1',
      // A title may hold 🔍 itself: only the headline counts as briefed.
      title: `checkout 5xx ratio above 5% on pod checkout-${n} 🔍 after the deploy of build ${n}`,
      service: 'checkout',
      channelId: opts.channel ? `C0INC${n}` : '',
    },
    answer: null,
    headline: opts.headline ? `bad deploy checkout v${n} (85%) · next: roll back` : null,
  };
}

const call = (pointers: DigestPointer[]) => ({
  method: 'chat.update',
  args: { channel: 'C0ALERTS', ts: '1.0', blocks: buildPointerDigestBlocks(pointers) },
});

describe.each([
  ['full lines (a few incidents)', 3],
  ['compact lines (200 incidents)', 200],
])('the burst bench reading %s', (_case, count) => {
  it('counts each waiting incident as shown, the investigated ones as briefed, and not those with a channel', () => {
    const pointers = Array.from({ length: count }, (_, i) =>
      pointer(i + 1, { channel: i % 3 === 2, headline: i % 3 === 1 }),
    );
    const read = readCall(call(pointers), 'C0ALERTS');
    const waiting = pointers.filter((p) => !p.view.channelId).map((p) => p.view.publicId);
    const briefed = pointers.filter((p) => !p.view.channelId && p.headline).map((p) => p.view.publicId);
    expect(read.first.sort()).toEqual(waiting.sort());
    expect(read.briefed.sort()).toEqual(briefed.sort());
  });
});
