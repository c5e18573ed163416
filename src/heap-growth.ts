// How far V8 lets its heap grow: the old generation past what survived the last full collection, and the young one.
import v8 from 'node:v8';
import { PerformanceObserver } from 'node:perf_hooks';

/**
 * The old generation may grow to 1.5 times what survived the last full collection (V8's own factor is 1.1 to 4,
 * picked from its collection and allocation speeds). In a burst of pages V8 picked ~4: with ~70-100 MB live, the heap
 * grew to ~430 MB of mostly garbage, the largest part of the process's peak (README, Performance).
 */
export const HEAP_GROWING_PERCENT = 50;

/** Whether the operator set the factor themselves (node's command line or NODE_OPTIONS), which then stands. */
export function heapGrowthSetByOperator(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return [...execArgv, nodeOptions ?? ''].some((a) => /--heap[-_]growing[-_]percent/.test(a));
}

/** Sets the factor for this process unless the operator did; read by V8 at each full collection. */
export function boundHeapGrowth(): void {
  if (heapGrowthSetByOperator(process.execArgv, process.env.NODE_OPTIONS)) return;
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

/**
 * The young generation (two semi-spaces) doubles while it is below this size, so it stops at 16 MB (two 8 MB
 * semi-spaces) instead of V8's 32 MB on this machine. Start-up grew it to 32 MB and an idle process kept it committed;
 * V8 fixes its largest size when the process starts (`--max-semi-space-size`, not settable later), but reads its
 * growth factor (`--semi-space-growth-factor`, default 2) at each growth, so the factor is set to 1 at the bound.
 */
export const NEW_SPACE_GROWS_BELOW = 12 * 1024 * 1024;

/** V8's growth factor for a young generation of `newSpaceBytes`: 2 (its default) below the bound, 1 (stay) above. */
export function semiSpaceGrowthFactor(newSpaceBytes: number): 1 | 2 {
  return newSpaceBytes < NEW_SPACE_GROWS_BELOW ? 2 : 1;
}

/** Whether the operator sized the young generation themselves (node's command line or NODE_OPTIONS). */
export function newSpaceSetByOperator(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return [...execArgv, nodeOptions ?? ''].some((a) =>
    /--(?:max|min)[-_]semi[-_]space[-_]size|--semi[-_]space[-_]growth[-_]factor/.test(a),
  );
}

/**
 * Keeps the young generation at most 16 MB unless the operator sized it: after each collection, the growth factor for
 * its size (a collection may shrink it when the process is idle; it then grows again up to the bound). Returns the
 * function that stops watching.
 */
export function boundNewSpace(): () => void {
  if (newSpaceSetByOperator(process.execArgv, process.env.NODE_OPTIONS)) return () => {};
  let factor = 2;
  const apply = () => {
    const size = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
    const next = semiSpaceGrowthFactor(size);
    if (next === factor) return;
    v8.setFlagsFromString(`--semi-space-growth-factor=${next}`);
    factor = next;
  };
  const observer = new PerformanceObserver(apply);
  observer.observe({ entryTypes: ['gc'] });
  apply();
  return () => observer.disconnect();
}
