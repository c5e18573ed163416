// Polls until a check gives something truthy: the one wait of the tests (jobs, queues, fake servers, the browser).

/**
 * Waits until `check` returns a truthy value and returns it, polling every `intervalMs`; fails naming `what` after
 * `timeoutMs`.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 10_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Waits on work that advances step by step (a queue draining, a backlog delivered): `check` returns `done` (a truthy
 * value when finished) and a `progress` count. Fails naming `what` only when the count has not moved for `stallMs`,
 * so a loaded machine, slower but still advancing, never fails it.
 */
export async function waitForProgress<T>(
  what: string,
  check: () => Promise<{ done: T | undefined | null | false; progress: number }>,
  stallMs = 20_000,
  intervalMs = 250,
): Promise<T> {
  let last = Number.NaN;
  let movedAt = Date.now();
  for (;;) {
    const { done, progress } = await check();
    if (done) return done;
    if (progress !== last) {
      last = progress;
      movedAt = Date.now();
    } else if (Date.now() - movedAt > stallMs) {
      throw new Error(`no progress for ${stallMs} ms waiting for ${what} (stuck at ${progress})`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
