import { describe, expect, it } from 'vitest';
import {
  completableJob,
  runInJobScope,
  selfCompletion,
  selfCompletionOf,
  type JobScope,
} from '../../../src/jobs/job-scope.js';

describe('selfCompletion', () => {
  it('is offered to the named job running with an owner, once', () => {
    const scope: JobScope = { name: 'process-delivery', id: 'job-1', owner: 'worker-a' };
    runInJobScope(scope, () => {
      const self = selfCompletion('process-delivery');
      expect(self).toBeDefined();
      expect(self!.sql).toMatch(/^update jobs set status = 'completed'/);
      expect(self!.sql).toContain("status = 'running' and locked_by = :selfJobOwner");
      expect(self!.bindings).toMatchObject({ selfJobId: 'job-1', selfJobOwner: 'worker-a' });
      self!.done(true);
      // Recorded for the runner; a second statement cannot complete it again.
      expect(scope.completed).toBe(true);
      expect(selfCompletion('process-delivery')).toBeUndefined();
    });
  });

  it('adds a further condition of the statement to the completion', () => {
    runInJobScope({ name: 'investigate-incident', id: 'job-5', owner: 'worker-a' }, () => {
      const self = selfCompletion('investigate-incident', 'exists (select 1 from u)');
      expect(self!.sql).toMatch(/locked_by = :selfJobOwner and exists \(select 1 from u\) returning id$/);
    });
  });

  it('records a completion that lost the lock as not held', () => {
    const scope: JobScope = { name: 'update-briefing', id: 'job-2', owner: 'worker-a' };
    runInJobScope(scope, () => selfCompletion('update-briefing')!.done(false));
    expect(scope.completed).toBe(false);
  });

  it('is not offered outside a job, to another job, or without an owner', () => {
    expect(selfCompletion('process-delivery')).toBeUndefined();
    runInJobScope({ name: 'investigate-incident', id: 'job-3', owner: 'worker-a' }, () =>
      expect(selfCompletion('process-delivery')).toBeUndefined(),
    );
    runInJobScope({ name: 'process-delivery', id: 'job-4' }, () =>
      expect(selfCompletion('process-delivery')).toBeUndefined(),
    );
  });
});

describe('selfCompletionOf', () => {
  it('completes several served jobs in one CTE body, each with its own lock, and records which held', () => {
    const a: JobScope = { name: 'page-responder', id: 'page:1', owner: 'worker-a' };
    const b: JobScope = { name: 'page-responder', id: 'page:2', owner: 'worker-b' };
    const served = [a, b].map((s) => runInJobScope(s, () => completableJob('page-responder')!));
    // The same job served twice is completed once.
    const self = selfCompletionOf([...served, served[0]!])!;
    expect(self.sql).toMatch(/^update jobs set status = 'completed'/);
    expect(self.sql).toContain("where status = 'running' and (id, locked_by) in");
    expect(JSON.parse(self.bindings.selfJobs as string)).toEqual([
      { id: 'page:1', owner: 'worker-a' },
      { id: 'page:2', owner: 'worker-b' },
    ]);
    self.done(new Set(['page:2']));
    expect(a.completed).toBe(false);
    expect(b.completed).toBe(true);
    // Done: neither is offered again.
    expect(selfCompletionOf([a, b])).toBeUndefined();
    expect(runInJobScope(b, () => completableJob('page-responder'))).toBeUndefined();
  });

  it('offers no job outside a job, to another name, or without an owner', () => {
    expect(completableJob('page-responder')).toBeUndefined();
    runInJobScope({ name: 'announce-escalation', id: 'n:1', owner: 'w' }, () =>
      expect(completableJob('page-responder')).toBeUndefined(),
    );
    runInJobScope({ name: 'page-responder', id: 'p:1' }, () =>
      expect(completableJob('page-responder')).toBeUndefined(),
    );
    expect(selfCompletionOf([])).toBeUndefined();
  });
});
