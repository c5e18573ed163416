// Registers the autonomy jobs: what follows the verdict of an action the copilot ran alone.
import type { AppContext } from '../context.js';
import { autonomousRunJudgedJob } from './jobs/autonomous-run-judged.js';

export function installAutonomy(ctx: AppContext): void {
  ctx.queue.register(autonomousRunJudgedJob(ctx));
}
