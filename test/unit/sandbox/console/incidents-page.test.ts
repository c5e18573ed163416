// The console's incidents page: the list newest first with its durations, one incident's timeline and its decision
// trace as a tree with timings, and every string from an incident escaped.
import { describe, expect, it } from 'vitest';
import type { IncidentListing } from '../../../../src/incidents/listings-repository.js';
import type { TimelineEvent } from '../../../../src/incidents/timeline-repository.js';
import type { StoredSpan } from '../../../../src/investigation/spans-repository.js';
import {
  buildTraces,
  formatDuration,
  renderIncidentDetail,
  renderIncidentList,
} from '../../../../sandbox/console/incidents-page.js';

const T0 = Date.parse('2026-11-30T03:00:00Z');
const at = (ms: number) => new Date(T0 + ms);
const names = { userName: (id: string) => ({ U0PRIMARY: 'Priya' })[id], channelName: () => undefined };

function incident(over: Partial<IncidentListing> = {}): IncidentListing {
  return {
    id: 1,
    publicId: 'INC-1',
    title: 'checkout 5xx above 5%',
    status: 'resolved',
    severity: 'sev2',
    service: 'checkout',
    team: 'payments',
    commander: 'U0PRIMARY',
    openedAt: at(0),
    onsetAt: at(-4 * 60_000),
    acknowledgedAt: at(95_000),
    mitigatedAt: at(12 * 60_000 + 5_000),
    resolvedAt: at(2 * 3_600_000 + 20 * 60_000),
    ...over,
  };
}

function span(
  id: number,
  name: string,
  startMs: number,
  durationMs: number,
  over: Partial<StoredSpan> = {},
): StoredSpan {
  return {
    id,
    incidentId: 1,
    investigationId: 'inv-a',
    name,
    kind: 'query',
    startedAt: T0 + startMs,
    durationMs,
    attributes: {},
    traceId: 'ab'.repeat(16),
    spanId: spanIdOf(id),
    parentSpanId: null,
    ...over,
  };
}

/** A span id from a small number: 16 hex digits. */
function spanIdOf(id: number): string {
  return id.toString(16).padStart(16, '0');
}

/** The text of each cell of each row, tags stripped. */
function cells(html: string): string[][] {
  return [...html.matchAll(/<tr class="incident-row"[^>]*>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, '')),
  );
}

describe('formatDuration', () => {
  it('reads as people say it', () => {
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(95_000)).toBe('1m 35s');
    expect(formatDuration(60_000)).toBe('1m');
    expect(formatDuration(12_000_000)).toBe('3h 20m');
    expect(formatDuration(187_200_000)).toBe('2d 4h');
  });
});

describe('the incidents list', () => {
  it('lists incidents newest first with status, severity, service, commander, opened and durations', () => {
    const older = incident();
    const open = incident({
      id: 2,
      publicId: 'INC-2',
      title: 'search latency',
      status: 'acknowledged',
      severity: 'sev1',
      service: 'search',
      commander: null,
      openedAt: at(3 * 3_600_000),
      acknowledgedAt: at(3 * 3_600_000 + 30_000),
      mitigatedAt: null,
      resolvedAt: null,
    });
    const html = renderIncidentList([older, open], names, at(3 * 3_600_000 + 10 * 60_000));
    expect(cells(html)).toEqual([
      [
        'INC-2',
        'search latency',
        'acknowledged',
        '🔴 SEV1',
        'search',
        '—',
        '2026-11-30 06:00:00 UTC',
        '30s',
        '—',
        '10m (open)',
      ],
      [
        'INC-1',
        'checkout 5xx above 5%',
        'resolved',
        '🟠 SEV2',
        'checkout',
        '@Priya',
        '2026-11-30 03:00:00 UTC',
        '1m 35s',
        '12m 5s',
        '2h 20m',
      ],
    ]);
  });

  it("shows each incident's times in its team's time zone, named", () => {
    const zones: Record<string, string> = { payments: 'Europe/Berlin', search: 'America/New_York' };
    const zoneOf = (team: string | null) => zones[team ?? ''] ?? 'UTC';
    const html = renderIncidentList(
      [incident(), incident({ id: 2, publicId: 'INC-2', team: 'search', openedAt: at(3_600_000) })],
      names,
      at(3 * 3_600_000),
      zoneOf,
    );
    expect(cells(html).map((row) => row[6])).toEqual(['2026-11-29 23:00:00 EST', '2026-11-30 04:00:00 GMT+1']);
    const detail = renderIncidentDetail(
      incident(),
      [{ id: 1, incidentId: 1, at: at(95_000), type: 'incident.acknowledged', actor: 'U0PRIMARY', data: {} }],
      [span(1, 'query metrics', 1_000, 900)],
      names,
      at(3 * 3_600_000),
      'Europe/Berlin',
    );
    // The list row, the timeline entry and the investigation's start: all in Berlin time, none in UTC.
    expect(detail).toContain('2026-11-30 04:00:00 GMT+1');
    expect(detail).toContain('2026-11-30 04:01:35 GMT+1');
    expect(detail).toContain('2026-11-30 04:00:01 GMT+1');
    expect(detail).not.toMatch(/\d{2}:\d{2}:\d{2}(Z| UTC)/);
  });

  it('says so when there is none', () => {
    expect(renderIncidentList([], names, at(0))).toContain('No incidents yet.');
  });

  it('escapes what an alert wrote', () => {
    const html = renderIncidentList(
      [incident({ title: '<img src=x onerror=alert(1)>', service: '<script>alert(1)</script>', commander: 'U"><b>' })],
      names,
      at(0),
    );
    expect(html).not.toMatch(/<img|<script|<b>/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('@U&quot;&gt;&lt;b&gt;');
  });
});

describe('the decision trace', () => {
  it('nests the queries a tool call ran, with offsets from the investigation start, one tree per investigation', () => {
    const traces = buildTraces([
      span(1, 'execute_tool query_metrics', 0, 900, { kind: 'tool_call' }),
      span(2, 'prometheus error ratio', 10, 200),
      span(3, 'loki new lines', 300, 400),
      span(4, 'rank hypotheses', 1_000, 0, { kind: 'decision' }),
      span(5, 'gather evidence', 60_000, 500, { investigationId: 'inv-b' }),
    ]);
    const shape = (n: { span: StoredSpan; offsetMs: number; children: unknown[] }): unknown => [
      n.span.name,
      n.offsetMs,
      (n.children as (typeof n)[]).map(shape),
    ];
    expect(traces.map((t) => [t.investigationId, t.durationMs, t.roots.map(shape)])).toEqual([
      [
        'inv-a',
        1_000,
        [
          [
            'execute_tool query_metrics',
            0,
            [
              ['prometheus error ratio', 10, []],
              ['loki new lines', 300, []],
            ],
          ],
          ['rank hypotheses', 1_000, []],
        ],
      ],
      ['inv-b', 500, [['gather evidence', 0, []]]],
    ]);
  });
});

describe('the decision trace of parallel queries', () => {
  it('keeps queries that overlap side by side: running at once is not running inside', () => {
    const [trace] = buildTraces([
      span(1, 'error ratio', 0, 500),
      span(2, 'latency', 5, 100),
      span(3, 'saturation', 6, 50),
    ]);
    expect(trace!.roots.map((n) => [n.span.name, n.offsetMs, n.children.length])).toEqual([
      ['error ratio', 0, 0],
      ['latency', 5, 0],
      ['saturation', 6, 0],
    ]);
  });
});

describe('the decision trace by parent ids', () => {
  it('shows the incident trace as nested sections: investigations with hypotheses and findings, runs with their action', () => {
    const root = { parentSpanId: spanIdOf(1) };
    const spans = [
      span(1, 'incident', 0, 0, { kind: 'incident', investigationId: 'incident-1' }),
      span(2, 'investigation', 1_000, 800, { kind: 'investigation', ...root }),
      span(3, 'metrics.query_role', 1_010, 40, { parentSpanId: spanIdOf(2) }),
      span(4, 'hypothesis bad_deploy', 1_800, 0, {
        kind: 'hypothesis',
        parentSpanId: spanIdOf(2),
        attributes: { 'copilot.hypothesis.category': 'bad_deploy', 'copilot.hypothesis.confidence': 0.86 },
      }),
      span(5, 'finding deploy', 1_800, 0, {
        kind: 'finding',
        parentSpanId: spanIdOf(4),
        attributes: { 'copilot.finding.kind': 'deploy', 'copilot.finding.ref': '<b>d-42</b>' },
      }),
      span(6, 'remediation.policy.decide', 5_000, 3, {
        kind: 'decision',
        investigationId: 'remediation-run-9',
        ...root,
        attributes: { 'copilot.policy.rule': 'autonomy_auto', 'copilot.policy.allowed': true },
      }),
      span(7, 'remediation.action', 5_100, 250, {
        kind: 'action',
        investigationId: 'remediation-run-9',
        parentSpanId: spanIdOf(6),
        attributes: { 'copilot.remediation.action': 'rollback_deploy', 'copilot.action.ok': true },
      }),
    ];
    const shape = (n: { span: StoredSpan; offsetMs: number; children: unknown[] }): unknown => [
      n.span.name,
      n.offsetMs,
      (n.children as (typeof n)[]).map(shape),
    ];
    expect(buildTraces(spans).map((t) => [t.investigationId, t.durationMs, t.roots.map(shape)])).toEqual([
      [
        'inv-a',
        800,
        [
          [
            'investigation',
            0,
            [
              ['metrics.query_role', 10, []],
              ['hypothesis bad_deploy', 800, [['finding deploy', 800, []]]],
            ],
          ],
        ],
      ],
      ['remediation-run-9', 350, [['remediation.policy.decide', 0, [['remediation.action', 100, []]]]]],
    ]);
    const html = renderIncidentDetail(incident(), [], spans, names, at(0));
    expect(html).toContain(`Trace <code>${'ab'.repeat(16)}</code>`);
    expect(html).toMatch(/<h4>Investigation 1 [\s\S]*<h4>Remediation run #9 /);
    expect(html).toMatch(
      /<span class="span-name">hypothesis bad_deploy<\/span> <span class="span-time">\+800 ms · 0 ms<\/span> <span class="span-label">bad_deploy confidence=0.86<\/span>[\s\S]*?<ul><li class="span span-finding">/,
    );
    expect(html).toMatch(
      /remediation\.policy\.decide[\s\S]*rule=autonomy_auto allowed=true[\s\S]*?<ul><li class="span span-action">[\s\S]*rollback_deploy ok=true/,
    );
    expect(html).toContain('deploy &lt;b&gt;d-42&lt;/b&gt;');
    expect(html).not.toContain('<b>d-42');
  });
});

describe('one incident', () => {
  const events: TimelineEvent[] = [
    {
      id: 1,
      incidentId: 1,
      at: at(0),
      type: 'incident.opened',
      actor: 'alertmanager',
      data: { alert: 'CheckoutErrors' },
    },
    { id: 2, incidentId: 1, at: at(95_000), type: 'incident.acknowledged', actor: 'U0PRIMARY', data: {} },
    {
      id: 3,
      incidentId: 1,
      at: at(100_000),
      type: 'message',
      actor: 'U0PRIMARY',
      data: { text: '<script>alert(1)</script> <img src=x onerror=alert(1)>' },
    },
  ];

  it('shows its timeline and decision trace with timings', () => {
    const html = renderIncidentDetail(
      incident(),
      events,
      [
        span(1, 'gather evidence', 0, 900, { kind: 'tool_call' }),
        span(2, 'prometheus error ratio', 10, 200, { attributes: { rows: 42 } }),
      ],
      names,
      at(0),
    );
    const entries = [...html.matchAll(/<li class="timeline-entry" data-type="([^"]+)">/g)].map((m) => m[1]);
    expect(entries).toEqual(['incident.opened', 'incident.acknowledged', 'message']);
    expect(html).toContain('+1m 35s');
    expect(html).toContain('<span class="actor">Priya</span>');
    expect(html).toMatch(
      /<span class="span-name">gather evidence<\/span> <span class="span-time">\+0 ms · 900 ms<\/span>/,
    );
    expect(html).toMatch(
      /gather evidence[\s\S]*<ul><li class="span span-query">[\s\S]*prometheus error ratio[\s\S]*\+10 ms · 200 ms/,
    );
    expect(html).toContain('<dt>rows</dt><dd>42</dd>');
  });

  it('keeps chat and alert text as text', () => {
    const html = renderIncidentDetail(
      incident({ title: '<b>x</b>' }),
      events,
      [span(1, '<img src=x>', 0, 1)],
      names,
      at(0),
    );
    expect(html).not.toMatch(/<script|<img|<b>x/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('says when nothing was investigated yet', () => {
    expect(renderIncidentDetail(incident(), [], [], names, at(0))).toContain('No investigation recorded yet.');
  });
});
