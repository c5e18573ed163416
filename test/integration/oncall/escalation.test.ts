import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../../src/context.js';
import { acknowledgeIncident } from '../../../src/incidents/transitions.js';
import { listTimeline } from '../../../src/incidents/timeline-repository.js';
import { createWarpClock } from '../../../src/oncall/timers.js';
import { changeSeverity } from '../../../src/oncall/escalation.js';
import { findBehind, rearmStep } from '../../../src/oncall/jobs/escalation-watchdog.js';
import { ActionIds } from '../../../blocks/ids.js';
import { RosterIds } from '../../helpers/fake-slack.js';
import { DATABASE_URL } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait-for.js';
import { openIncident, pagesOf, sleep, startHarness, type OncallHarness } from './harness.js';

let harness: OncallHarness | undefined;

/**
 * Step `step` of round 0 ran from the timer the step before it (`previous`, its timeline entry) set: that entry says
 * the next step is 3 s away, the timer's job was due exactly 3 s after it (the clock's instant in real time), it ran
 * once, and the step's own entry is not earlier than that. A wrong delay, a timer counted from another instant or a
 * step run early fails; a loaded machine running the timer late does not.
 */
async function expectStepTimedFrom(
  ctx: AppContext,
  incidentId: number,
  previous: { at: Date; data: unknown },
  step: number,
): Promise<void> {
  expect(previous.data).toMatchObject({ nextInMs: 3000 });
  const job = await ctx.queue.get(`escalate:${incidentId}:0:${step}`);
  expect(job).toMatchObject({ status: 'completed', attempts: 1 });
  // The test clock runs at real speed from its own start: real time = clock time + a fixed offset.
  const offset = Date.now() - ctx.clock.now().getTime();
  expect(Math.abs(job!.runAt.getTime() - (previous.at.getTime() + 3000 + offset))).toBeLessThanOrEqual(2);
  const ran = (await listTimeline(ctx.knex, incidentId)).find(
    (e) => e.type === 'escalation.step' && (e.data as { step?: number }).step === step,
  );
  expect(ran!.at.getTime() - previous.at.getTime()).toBeGreaterThanOrEqual(3000);
}
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('escalation', () => {
  it('pages primary, then secondary, then the manager on time when nobody acknowledges a SEV1', async () => {
    harness = await startHarness();
    const { ctx } = await harness.startReplica();
    const id = await openIncident(ctx, { severity: 'sev1' });
    const pages = await waitFor(
      'three pages',
      async () => {
        const p = await pagesOf(ctx, id);
        return p.length >= 3 && p;
      },
      15_000,
    );
    expect(pages.map((p) => [p.user, p.step])).toEqual([
      [RosterIds.primary, 0],
      [RosterIds.secondary, 1],
      [RosterIds.manager, 2],
    ]);
    // Each step sets the next one's timer for the policy's 3 s after itself, and the timer runs it not before then
    // (how soon after is the queue's own promise, tested in test/integration/queue/).
    const steps = (await listTimeline(ctx.knex, id)).filter((e) => e.type === 'escalation.step');
    expect(steps).toHaveLength(3);
    for (const step of [1, 2]) await expectStepTimedFrom(ctx, id, steps[step - 1]!, step);
    // The page is a DM with an Acknowledge button carrying the incident id.
    const dm = harness.slack.state.openDm(RosterIds.secondary);
    const page = harness.slack
      .messages(dm.id)
      .find((m) => JSON.stringify(m.blocks ?? []).includes(ActionIds.acknowledge));
    expect(JSON.stringify(page?.blocks)).toContain(`"value":"${id}"`);
    // The team channel hears every step, and that nobody acknowledged in the end.
    await waitFor(
      'the chain to run out',
      async () => (await listTimeline(ctx.knex, id)).some((e) => e.type === 'escalation.exhausted'),
      8000,
    );
    // A chain that ran out is not behind, however late it is asked (the watchdog once said so every minute).
    const { behind } = await findBehind(ctx, new Date(ctx.clock.now().getTime() + 3_600_000));
    expect(behind.filter((b) => b.incidentId === id)).toEqual([]);
    await harness.slack.waitFor(
      () =>
        harness!.slack
          .messages('C0ALERTS')
          .find((m) => (m.text ?? '').includes('nobody acknowledged after every escalation step')),
      {
        message: 'no note that the chain ran out',
      },
    );
    // With no incident channel, the notes join the alerts channel's one notice message (edited in place): one line a step.
    const lines = harness.slack
      .messages('C0ALERTS')
      .flatMap((m) => (m.text ?? '').split('\n'))
      .filter((l) => l.includes('paging <@'));
    expect(lines).toHaveLength(3);
    expect(await pagesOf(ctx, id)).toHaveLength(3);
  });

  it('stops for good when someone acknowledges during step 2, even if a late timer fires', async () => {
    harness = await startHarness();
    const { ctx } = await harness.startReplica();
    const id = await openIncident(ctx, { severity: 'sev1' });
    await waitFor(
      'the secondary page',
      async () => (await pagesOf(ctx, id)).some((p) => p.user === RosterIds.secondary),
      10_000,
    );
    await acknowledgeIncident(ctx, id, { id: RosterIds.secondary, via: 'button' });
    await waitFor(
      'the stop',
      async () => (await listTimeline(ctx.knex, id)).some((e) => e.type === 'escalation.stopped'),
      5000,
    );
    expect((await ctx.queue.get(`escalate:${id}:0:2`))?.status).toBe('cancelled');
    // A timer that escaped cancellation (e.g. already in flight) finds the incident acknowledged and pages nobody.
    await ctx.queue.enqueue(
      'escalate-incident',
      { incidentId: id, round: 0, step: 2 },
      { jobId: `escalate:${id}:0:2:late` },
    );
    await sleep(4500);
    expect((await pagesOf(ctx, id)).map((p) => p.user)).toEqual([RosterIds.primary, RosterIds.secondary]);
    const timeline = await listTimeline(ctx.knex, id);
    expect(timeline.filter((e) => e.type === 'escalation.stopped')).toHaveLength(1);
    expect(timeline.filter((e) => e.type === 'escalation.step')).toHaveLength(2);
    expect(
      harness.slack
        .messages('C0ALERTS')
        .some((m) => (m.text ?? '').includes(`escalation stopped, acknowledged by <@${RosterIds.secondary}>`)),
    ).toBe(true);
  });

  it('neither loses nor doubles a step when the app is killed between steps', async () => {
    harness = await startHarness();
    const first = await harness.startReplica();
    const id = await openIncident(first.ctx, { severity: 'sev1' });
    await waitFor('the primary page', async () => (await pagesOf(first.ctx, id)).length === 1, 10_000);
    await first.stop();
    // Step 2 falls due 3 s after step 1, while no copilot is running.
    await sleep(5000);
    const second = await harness.startReplica();
    const pages = await waitFor(
      'the remaining pages',
      async () => {
        const p = await pagesOf(second.ctx, id);
        return p.length >= 3 && p;
      },
      15_000,
    );
    await sleep(1000);
    expect((await pagesOf(second.ctx, id)).map((p) => [p.user, p.step])).toEqual([
      [RosterIds.primary, 0],
      [RosterIds.secondary, 1],
      [RosterIds.manager, 2],
    ]);
    const step2 = (await listTimeline(second.ctx.knex, id)).find(
      (e) => e.type === 'escalation.step' && e.data.step === 1,
    );
    expect(step2?.data.lateByMs as number).toBeGreaterThan(1000);
    expect(
      harness.slack
        .messages('C0ALERTS')
        .some((m) => /step 2 of 3\) \(\d+s late: the copilot was not running at its time\)/.test(m.text ?? '')),
    ).toBe(true);
    const steps = (await listTimeline(second.ctx.knex, id)).filter((e) => e.type === 'escalation.step');
    expect(steps.map((e) => e.data.step)).toEqual([0, 1, 2]);
    expect(steps[2]!.at.getTime() - steps[1]!.at.getTime()).toBeGreaterThanOrEqual(3000);
    expect(pages).toHaveLength(3);
  });

  it('pages each step once with two replicas on the same database and Redis', async () => {
    harness = await startHarness();
    const a = await harness.startReplica();
    await harness.startReplica();
    const id = await openIncident(a.ctx, { severity: 'sev1' });
    await waitFor('three pages', async () => (await pagesOf(a.ctx, id)).length >= 3, 15_000);
    await sleep(3500);
    expect(await pagesOf(a.ctx, id)).toHaveLength(3);
    for (const user of [RosterIds.primary, RosterIds.secondary, RosterIds.manager]) {
      const dm = harness.slack.state.openDm(user);
      expect(harness.slack.messages(dm.id).filter((m) => (m.text ?? '').includes('You are paged'))).toHaveLength(1);
    }
  });

  it('holds a SEV2 paged at 02:00 team time until 09:00, then pages, and raises it to SEV1 at the end of the day', async () => {
    harness = await startHarness();
    // Tuesday 24 November 2026, 01:59:59 in Berlin; one real second is one hour of team time.
    const clock = createWarpClock(new Date('2026-11-24T00:59:59Z'), 3600);
    const { ctx } = await harness.startReplica(clock);
    // Team time starts once the replica is up: its start (migrations) ran at 3600x too, and on a loaded machine that
    // alone went past 09:00 team time.
    clock.set(new Date('2026-11-24T00:59:59Z'));
    const id = await openIncident(ctx, { severity: 'sev2' });
    const deferred = await waitFor(
      'the deferral',
      async () => (await listTimeline(ctx.knex, id)).find((e) => e.type === 'escalation.deferred'),
      5000,
    );
    expect(deferred.data.pageAt).toBe('2026-11-24T08:00:00.000Z');
    await harness.slack.waitFor(
      () => harness!.slack.messages('C0ALERTS').find((m) => (m.text ?? '').includes('outside business hours')),
      { message: 'no deferral note' },
    );
    // About 05:00 team time nothing is paged. At 3600x a loaded machine can be past 09:00 by then: the sample is taken
    // only while the clock is still before it; the first page's own time below is the check that holds either way.
    await sleep(Math.max(0, clock.timerAt(new Date('2026-11-24T04:00:00Z')).getTime() - Date.now()));
    const early = await pagesOf(ctx, id);
    if (clock.now().getTime() < Date.parse('2026-11-24T08:00:00Z')) expect(early).toEqual([]);
    // The first step's page. At 3600x its 3 s ack window is a millisecond: the next step's page may be recorded first
    // on a loaded machine (the order of the two records is not the behaviour under test).
    const first = await waitFor(
      'the 09:00 page',
      async () => (await pagesOf(ctx, id)).find((p) => p.step === 0),
      10_000,
    );
    expect(first.user).toBe(RosterIds.primary);
    expect(first.at.getTime()).toBeGreaterThanOrEqual(Date.parse('2026-11-24T08:00:00Z'));
    expect(first.at.getTime()).toBeLessThan(Date.parse('2026-11-24T08:30:00Z'));
    expect(first.outside_hours).toBe(false);
    // Still unresolved at 17:00 team time: raised to SEV1.
    await waitFor(
      'the raise to SEV1',
      async () => (await ctx.knex('incidents').where({ id }).first('severity')).severity === 'sev1',
      15_000,
    );
    const raised = (await listTimeline(ctx.knex, id)).find((e) => e.type === 'incident.severity_changed');
    expect(raised?.data).toEqual({ from: 'sev2', to: 'sev1' });
    expect(raised!.at.getTime()).toBeGreaterThanOrEqual(Date.parse('2026-11-24T16:00:00Z'));
  });

  it('pages at once, even at night, when someone raises a held SEV2 to SEV1', async () => {
    harness = await startHarness();
    const clock = createWarpClock(new Date('2026-11-24T00:59:59Z'), 3600);
    const { ctx } = await harness.startReplica(clock);
    // Team time starts once the replica is up: its start (migrations) ran at 3600x too, and on a loaded machine that
    // alone went past 09:00 team time.
    clock.set(new Date('2026-11-24T00:59:59Z'));
    const id = await openIncident(ctx, { severity: 'sev2' });
    await waitFor(
      'the deferral',
      async () => (await listTimeline(ctx.knex, id)).find((e) => e.type === 'escalation.deferred'),
      5000,
    );
    expect(await pagesOf(ctx, id)).toEqual([]);
    await changeSeverity(ctx, id, 'sev1', RosterIds.secondary);
    // At once is on the team's clock (3600x): a page held for business hours would come at 08:00Z, 7 s from now.
    // The first step's page (at 3600x the next step's may be recorded before it on a loaded machine; CI saw it).
    const first = await waitFor('the page after the raise', async () =>
      (await pagesOf(ctx, id)).find((p) => p.step === 0),
    );
    expect(first).toMatchObject({ user: RosterIds.primary, step: 0, outside_hours: true });
    expect(first.at.getTime()).toBeLessThan(Date.parse('2026-11-24T08:00:00Z'));
    await sleep(8000); // past 09:00 team time, when the held timer was due
    expect((await pagesOf(ctx, id)).filter((p) => p.step === 0)).toHaveLength(1);
    expect((await listTimeline(ctx.knex, id)).find((e) => e.type === 'incident.severity_changed')).toMatchObject({
      actor: RosterIds.secondary,
      data: { from: 'sev2', to: 'sev1' },
    });
  });

  it('never pages for a SEV3', async () => {
    harness = await startHarness();
    const { ctx } = await harness.startReplica();
    const id = await openIncident(ctx, { severity: 'sev3' });
    await waitFor(
      'the skip',
      async () => (await listTimeline(ctx.knex, id)).some((e) => e.type === 'escalation.skipped'),
      5000,
    );
    await sleep(3500);
    expect(await pagesOf(ctx, id)).toEqual([]);
    expect(await ctx.knex('jobs').where('id', 'like', `escalate:${id}:%`).count('* as n').first()).toEqual({ n: 0 });
  });
});

describe('escalation upkeep', () => {
  it('pages the next step at once when someone presses Escalate, and keeps the chain timing from there', async () => {
    harness = await startHarness();
    const { ctx } = await harness.startReplica();
    const id = await openIncident(ctx, { severity: 'sev1' });
    await waitFor('the primary page', async () => (await pagesOf(ctx, id)).length === 1, 10_000);
    ctx.events.emit('incident.escalation_requested', { incidentId: id, by: RosterIds.primary });
    await waitFor('the secondary page', async () => (await pagesOf(ctx, id)).length === 2);
    // The step's 3 s timer was cancelled unrun and replaced by a job due at once: the press does not wait for it.
    expect((await ctx.queue.get(`escalate:${id}:0:1`))?.status).toBe('cancelled');
    const requested = await ctx.queue.get(`escalate:${id}:0:1:requested`);
    expect(requested).toMatchObject({ status: 'completed', attempts: 1 });
    expect(requested!.runAt.getTime()).toBeLessThanOrEqual(requested!.createdAt.getTime());
    await waitFor('the manager page', async () => (await pagesOf(ctx, id)).length === 3, 10_000);
    const all = (await listTimeline(ctx.knex, id)).filter((e) => e.type === 'escalation.step');
    // The chain keeps its timing from the pressed step: the manager's timer is 3 s after it, not after the first.
    await expectStepTimedFrom(ctx, id, all[1]!, 2);
  });

  it('the watchdog reports a step that fell behind and puts its lost timer back', async () => {
    harness = await startHarness();
    const { ctx } = await harness.startReplica();
    const id = await openIncident(ctx, { severity: 'sev1' });
    await waitFor('the primary page', async () => (await pagesOf(ctx, id)).length === 1, 10_000);
    // The step-2 timer is lost (as if both Redis and its row were gone).
    await ctx.queue.cancel(`escalate:${id}:0:1`);
    await ctx
      .knex('jobs')
      .where({ id: `escalate:${id}:0:1` })
      .del();
    const later = new Date(ctx.clock.now().getTime() + 60_000);
    const { behind } = await findBehind(ctx, later);
    expect(behind).toEqual([
      { incidentId: id, round: 0, step: 1, dueAt: expect.any(Date), behindMs: expect.any(Number) },
    ]);
    expect(behind[0]!.behindMs).toBeGreaterThan(50_000);
    expect(await rearmStep(ctx, behind[0]!)).toBe('enqueued');
    await waitFor('the secondary page after the re-arm', async () => (await pagesOf(ctx, id)).length === 2, 5000);
    expect(await rearmStep(ctx, behind[0]!)).not.toBe('enqueued');
    await sleep(500);
    expect((await pagesOf(ctx, id)).filter((p) => p.step === 1)).toHaveLength(1);
  });
});

describe('escalation across a crash', () => {
  it('neither loses nor doubles a step when the process is SIGKILLed between steps', { timeout: 300_000 }, async () => {
    harness = await startHarness();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'oncall-kill-'));
    const spawnReplica = async (open: boolean): Promise<{ child: ChildProcess; incidentId?: number }> => {
      const file = path.join(dir, `${open ? 'first' : 'second'}.json`);
      writeFileSync(
        file,
        JSON.stringify({
          config: harness!.config,
          schema: harness!.schema,
          prefix: harness!.prefix,
          slackApiUrl: harness!.slack.apiUrl,
          botToken: harness!.slack.botToken,
          clockAt: harness!.clock.now().toISOString(),
          open,
        }),
      );
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(import.meta.dirname, 'replica-process.ts'), file],
        { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: '' } },
      );
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        // A bound on a child that never starts, not a wait: tsx compiles the replica on a loaded machine.
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`replica did not start: ${out}`));
        }, 90_000);
        child.stdout!.on('data', (d) => {
          out += d;
          if (out.includes('\n')) {
            clearTimeout(timer);
            resolve(out);
          }
        });
        child.on('exit', (code) => reject(new Error(`replica exited with ${code}: ${out}`)));
      });
      const id = /ready (\d+)/.exec(line)?.[1];
      return id ? { child, incidentId: Number(id) } : { child };
    };
    // The schema exists once a first replica has migrated it; this process only watches.
    const watcher = await harness.startReplica();
    await watcher.stop();
    const { knex } = await import('knex').then((m) => ({
      knex: m.default({ client: 'pg', connection: DATABASE_URL, searchPath: [harness!.schema, 'public'] }),
    }));
    try {
      const first = await spawnReplica(true);
      const id = first.incidentId!;
      const pages = async () => knex('pages').where({ incident_id: id }).orderBy('step').select('user', 'step');
      await waitFor('the primary page', async () => (await pages()).length === 1, 15_000);
      first.child.kill('SIGKILL');
      await new Promise((r) => first.child.once('exit', r));
      await sleep(4000); // step 2 falls due while no copilot runs
      expect(await pages()).toHaveLength(1);
      const second = await spawnReplica(false);
      await waitFor('the remaining pages', async () => (await pages()).length === 3, 20_000);
      await sleep(1500);
      expect((await pages()).map((p: { user: string; step: number }) => [p.user, p.step])).toEqual([
        [RosterIds.primary, 0],
        [RosterIds.secondary, 1],
        [RosterIds.manager, 2],
      ]);
      const late = await knex('incident_events')
        .where({ incident_id: id, type: 'escalation.step' })
        .orderBy('id')
        .select('data');
      expect(late.map((r: { data: { step: number } }) => r.data.step)).toEqual([0, 1, 2]);
      expect((late[1] as { data: { lateByMs: number } }).data.lateByMs).toBeGreaterThan(1000);
      second.child.kill('SIGKILL');
      await new Promise((r) => second.child.once('exit', r));
    } finally {
      await knex.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
