// How far V8 lets its heap grow past what survived the last full collection before it collects again.
import v8 from 'node:v8';

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
