// Configuration: one zod schema over the environment (.env.example lists it) and one over the YAML file named by
// COPILOT_CONFIG; the sections live in src/config/, loadConfig here reads both.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError, formatZodIssues } from './errors.js';
import { envSchema, type Env } from './config/env.js';
import type { FileConfig } from './config/file.js';
import { fileConfigSchema } from './config/file.js';
import { crossCheck, crossCheckPartial } from './config/cross-check.js';

export { envSchema, ENV_KEYS, type Env } from './config/env.js';
export { durationSchema, parseDuration } from './config/durations.js';
export * from './config/sections.js';
export * from './config/authorization.js';
export * from './config/autonomy-schema.js';
export * from './config/file.js';

/** Everything the app is configured with. */
export interface AppConfig {
  env: Env;
  file: FileConfig;
  /** Where the file config came from: a path, or "built-in defaults". */
  fileSource: string;
}

/** Parses and checks a file config object (already read from YAML). Throws ConfigError naming every problem. */
export function parseFileConfig(raw: unknown, source = 'config'): FileConfig {
  const parsed = fileConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    // Name every bad setting at once: the shape errors, and the broken references among the parts that did parse.
    const problems = [...formatZodIssues(parsed.error.issues), ...crossCheckPartial(raw)];
    throw new ConfigError(problems.map((p) => `${source}: ${p}`));
  }
  const problems = crossCheck(parsed.data);
  if (problems.length) throw new ConfigError(problems.map((p) => `${source}: ${p}`));
  return parsed.data;
}

/** Reads the YAML config: COPILOT_CONFIG if set, else ./copilot.yml if present, else built-in defaults. */
export function loadFileConfig(
  configPath: string | undefined,
  cwd = process.cwd(),
): { file: FileConfig; source: string } {
  const chosen = configPath ?? (existsSync(path.join(cwd, 'copilot.yml')) ? 'copilot.yml' : undefined);
  if (!chosen) return { file: parseFileConfig({}, 'built-in defaults'), source: 'built-in defaults' };
  const full = path.resolve(cwd, chosen);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (err) {
    throw new ConfigError([`COPILOT_CONFIG: cannot read ${chosen}: ${(err as Error).message}`], { cause: err });
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError([`${chosen}: not valid YAML: ${(err as Error).message}`], { cause: err });
  }
  const file = parseFileConfig(raw, chosen);
  const problems: string[] = [];
  file.runbooks.forEach((r, i) => {
    if (r.file === undefined) return;
    r.file = path.resolve(path.dirname(full), r.file);
    if (!existsSync(r.file)) problems.push(`${chosen}: runbooks.${i}.file: cannot read ${r.file}`);
  });
  if (problems.length) throw new ConfigError(problems);
  return { file, source: chosen };
}

/** Parses the environment and the config file; throws one ConfigError listing every bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): AppConfig {
  const parsed = envSchema.safeParse(env);
  const problems: string[] = [];
  if (!parsed.success) problems.push(...formatZodIssues(parsed.error.issues).map((p) => p.replace(/^(\w+): /, '$1: ')));
  // Settings that need each other are checked on what was given, even when another setting is malformed.
  const given = (key: keyof Env) => (env[key]?.trim() ?? '') !== '';
  if (given('SLACK_BOT_TOKEN') && !given('SLACK_SIGNING_SECRET') && !given('SLACK_APP_TOKEN'))
    problems.push(
      'SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)',
    );
  if (!given('SLACK_BOT_TOKEN') && given('SLACK_APP_TOKEN'))
    problems.push('SLACK_BOT_TOKEN: required when SLACK_APP_TOKEN is set');
  if (given('RUNBOOKS_REPO') && !given('GITHUB_TOKEN'))
    problems.push('GITHUB_TOKEN: required when RUNBOOKS_REPO is set');
  let file: FileConfig | undefined;
  let source = 'built-in defaults';
  try {
    const configPath = parsed.success ? parsed.data.COPILOT_CONFIG : env.COPILOT_CONFIG?.trim() || undefined;
    const loaded = loadFileConfig(configPath, cwd);
    file = loaded.file;
    source = loaded.source;
  } catch (err) {
    if (err instanceof ConfigError) problems.push(...err.problems);
    else throw err;
  }
  if (problems.length || !parsed.success || !file) throw new ConfigError(problems);
  return { env: parsed.data, file, fileSource: source };
}
