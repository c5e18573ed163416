// Builds the committed incident corpus (eval/corpus/) from scenario runs: each scenario's page investigated at its
// "now" through the same export as `export-scenario` (only what the investigator read is kept), its truth as the
// confirmed root cause, and the engine's answer as "what it said at the time".
// Run: npx tsx eval/corpus-from-scenarios.ts OUT_DIR SCENARIO_FILE...
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { investigateScenario, loadScenarioFile } from './commands.js';
import { answerAtTheTime, exportIncidentScenario } from './incident-scenarios.js';
import { isTop1 } from './metrics.js';
import { pageSummaryFromScenario } from './scenario-format.js';
import { createScenarioSources } from './scenario-sources.js';

export async function corpusEntry(file: string) {
  const loaded = loadScenarioFile(file);
  if (!loaded.ok || !loaded.truth) throw new Error(`${file}: not a scenario with a truth`);
  const { scenario, truth } = loaded;
  const { result } = await investigateScenario(scenario);
  return exportIncidentScenario({
    id: `incident-${scenario.id}`,
    title: scenario.title,
    page: pageSummaryFromScenario(scenario),
    now: new Date(scenario.now),
    sources: createScenarioSources(scenario),
    truth,
    atTheTime: answerAtTheTime(result, isTop1({ id: scenario.id, truth, result, ms: 0 })),
  });
}

if (process.argv[1]?.endsWith('corpus-from-scenarios.ts')) {
  const [out, ...files] = process.argv.slice(2);
  for (const f of files) {
    const s = await corpusEntry(f);
    writeFileSync(path.join(out!, `${s.id}.json`), `${JSON.stringify(s)}\n`);
    console.log(`${s.id}: ${s.metrics.length} series, ${s.logs.length} log lines, right then: ${s.atTheTime.top1}`);
  }
}
