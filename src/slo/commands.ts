// `incident-copilot slo rules`: prints the Prometheus rule groups of the SLOs in files and/or the config.
import type { CliIo } from '../cli.js';
import { loadFileConfig } from '../config.js';
import { ValidationError } from '../errors.js';
import { loadSloSpecs } from './load-specs.js';
import { renderRuleFile } from './prometheus-rules.js';

export const SLO_RULES_USAGE = 'slo rules [--file F ...] [--config PATH]';

/**
 * `slo rules`: the SLOs of every `--file` (Sloth prometheus/v1 or OpenSLO v1) plus the config's `slos:` (the file
 * named by --config, else COPILOT_CONFIG or ./copilot.yml; with --file only when --config is given).
 */
export function runSloRulesCommand(args: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): number {
  const files: string[] = [];
  let configPath: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = () => {
      const v = args[++i];
      if (v === undefined || v.startsWith('--'))
        throw new ValidationError(`${a} needs a value (usage: ${SLO_RULES_USAGE})`);
      return v;
    };
    if (a === '--file') files.push(value());
    else if (a === '--config') configPath = value();
    else throw new ValidationError(`unknown option ${a} (usage: ${SLO_RULES_USAGE})`);
  }
  const useConfig = configPath !== undefined || files.length === 0;
  const config = useConfig ? loadFileConfig(configPath ?? (env.COPILOT_CONFIG?.trim() || undefined)).file : undefined;
  const specs = loadSloSpecs({ files, ...(config ? { config } : {}) });
  if (!specs.length) {
    io.stderr('No SLOs found: define slos: in the config or pass --file with a Sloth or OpenSLO file.');
    return 1;
  }
  io.stdout(renderRuleFile(specs));
  return 0;
}
