// Investigation speed: the deterministic investigator on the example scenarios and on generated ones (every
// category and every situation), in process; prints median, p95 and max milliseconds per scenario.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { investigateScenario } from '../eval/commands.js';
import { generateScenarios } from '../eval/generator/generate-scenarios.js';
import { generateSituations } from '../eval/generator/situations.js';
import { scenarioSchema, type Scenario } from '../eval/scenario-format.js';

const examplesDir = path.resolve(import.meta.dirname, '../test/fixtures/scenarios');

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

async function timeAll(label: string, scenarios: Scenario[]): Promise<void> {
  const ms: number[] = [];
  for (const s of scenarios) {
    const { truth: _truth, ...blind } = s;
    // Round-trip through JSON, as a scenario file would be read.
    ms.push((await investigateScenario(scenarioSchema.parse(JSON.parse(JSON.stringify(blind))))).ms);
  }
  ms.sort((a, b) => a - b);
  const f = (n: number) => n.toFixed(0).padStart(5);
  console.log(
    `${label.padEnd(34)} n=${String(ms.length).padStart(4)}  median ${f(percentile(ms, 0.5))} ms  p95 ${f(percentile(ms, 0.95))} ms  max ${f(ms.at(-1) ?? 0)} ms`,
  );
}

/** Times the investigator on the examples, 110 generated category scenarios and 150 generated situations. */
export async function benchInvestigate(): Promise<void> {
  const examples = readdirSync(examplesDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => scenarioSchema.parse(JSON.parse(readFileSync(path.join(examplesDir, f), 'utf8'))));
  await timeAll('examples', examples);
  await timeAll('generated categories (seed 5150)', generateScenarios({ count: 110, seed: 5150 }));
  await timeAll('generated situations (seed 5150)', generateSituations({ count: 150, seed: 5150 }));
  console.log('target: under 200 ms per scenario in process');
}
