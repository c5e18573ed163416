// Escalation notes as data: what the core records survives the job payload, and blocks/oncall.ts words it.
import { describe, expect, it } from 'vitest';
import { buildAllResolvedText, buildEscalationNoticeText } from '../../../blocks/oncall.js';
import {
  STALE_NOTICE_MS,
  escalationNoticeSchema,
  heldNotice,
  heldNoticeMoot,
  type EscalationNotice,
} from '../../../src/oncall/escalation-notice.js';
import { AnnounceEscalation } from '../../../src/oncall/presentations.js';

/** A payload as the queue hands it back: through JSON, as Postgres and Redis store it. */
function throughQueue(payload: unknown): unknown {
  return AnnounceEscalation.schema.parse(JSON.parse(JSON.stringify(payload)));
}

describe('escalation notices', () => {
  it('keeps a deferred page time a Date through the queue', () => {
    const pageAt = new Date('2026-11-24T08:00:00Z');
    const parsed = throughQueue({
      incidentId: 4,
      notice: { kind: 'deferred', publicId: 'INC-4', pageAt, timeZone: 'Europe/Berlin' },
    }) as { notice: { pageAt: Date } };
    expect(parsed.notice.pageAt).toEqual(pageAt);
    expect(
      buildEscalationNoticeText(
        escalationNoticeSchema.parse({
          kind: 'deferred',
          publicId: 'INC-4',
          pageAt: pageAt.toISOString(),
          timeZone: 'Europe/Berlin',
        }),
      ),
    ).toBe(':zzz: INC-4 is SEV2 and outside business hours: nobody is paged now; paging at Tue 09:00 (Europe/Berlin).');
  });

  it('mentions who stopped the escalation when it is a Slack user, and shows anything else as recorded', () => {
    expect(buildEscalationNoticeText({ kind: 'stopped', publicId: 'INC-1', by: 'U0PRIYA' })).toBe(
      ':white_check_mark: INC-1: escalation stopped, acknowledged by <@U0PRIYA>.',
    );
    expect(buildEscalationNoticeText({ kind: 'stopped', publicId: 'INC-1', by: 'pagerduty:Priya' })).toBe(
      ':white_check_mark: INC-1: escalation stopped, acknowledged by pagerduty:Priya.',
    );
  });

  it('says who changed the severity unless a reason is given', () => {
    expect(buildEscalationNoticeText({ kind: 'raised', publicId: 'INC-1', from: 'sev2', to: 'sev1', by: 'U1' })).toBe(
      ':arrow_double_up: INC-1 raised from SEV2 to SEV1: changed by <@U1>.',
    );
    expect(
      buildEscalationNoticeText({
        kind: 'raised',
        publicId: 'INC-1',
        from: 'sev2',
        to: 'sev1',
        by: 'copilot',
        reason: 'still unresolved at the end of the business day',
      }),
    ).toBe(':arrow_double_up: INC-1 raised from SEV2 to SEV1: still unresolved at the end of the business day.');
  });

  it('words the every-alert-resolved note as its own builder does', () => {
    const notice = { kind: 'all_resolved', incidentId: 4, publicId: 'INC-4', autoResolveAfterMs: 600_000 } as const;
    expect(buildEscalationNoticeText(notice)).toBe(buildAllResolvedText(notice));
    expect(buildEscalationNoticeText(notice)).toBe(
      ':large_green_circle: INC-4: every alert has resolved; paging stopped. It resolves itself in 10 min if no alert fires again.',
    );
  });

  it('still takes a note recorded as text before notes were data, and refuses an empty one', () => {
    expect(throughQueue({ incidentId: 4, text: ':pager: INC-4: paging <@U1> (step 1 of 3).' })).toEqual({
      incidentId: 4,
      text: ':pager: INC-4: paging <@U1> (step 1 of 3).',
    });
    expect(() => throughQueue({ incidentId: 4 })).toThrow(/a notice or a text/);
  });

  it('says a paging note held back past STALE_NOTICE_MS is late and why; only while the incident is triggered', () => {
    const paging: EscalationNotice = {
      kind: 'paging',
      publicId: 'INC-7',
      users: ['U0PRIYA'],
      unresolved: [],
      step: 1,
      steps: 2,
      round: 0,
      lateByMs: 0,
    };
    expect(heldNotice(paging, STALE_NOTICE_MS)).toBe(paging);
    expect(buildEscalationNoticeText(heldNotice(paging, 12 * 60_000))).toBe(
      ':pager: INC-7: paging <@U0PRIYA> (step 1 of 2) (12m00s late: Slack did not take it until now).',
    );
    const stopped: EscalationNotice = { kind: 'stopped', publicId: 'INC-7', by: 'U0PRIYA' };
    expect(heldNotice(stopped, 12 * 60_000)).toBe(stopped);
    expect(heldNoticeMoot(paging, { status: 'triggered', stopped: false })).toBe(false);
    expect(heldNoticeMoot(paging, { status: 'acknowledged', stopped: true })).toBe(true);
    expect(heldNoticeMoot(paging, undefined)).toBe(true);
    // Every alert resolved: still triggered, but paging stopped.
    expect(heldNoticeMoot(paging, { status: 'triggered', stopped: true })).toBe(true);
    expect(heldNoticeMoot(stopped, { status: 'resolved', stopped: true })).toBe(false);
  });
});
