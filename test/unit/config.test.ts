// The configuration: defaults, one message naming every bad setting, the YAML file's cross-checks, .env.example in step.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENV_KEYS, loadConfig, parseDuration, parseFileConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  const emptyDir = mkdtempSync(path.join(os.tmpdir(), 'copilot-config-'));

  it('runs on built-in defaults with nothing set', () => {
    const c = loadConfig({}, emptyDir);
    expect(c.env.PORT).toBe(3000);
    expect(c.env.DATA_DIR).toBe('./.data');
    expect(c.env.DATABASE_URL).toBeUndefined();
    expect(c.env.REDIS_URL).toBeUndefined();
    expect(c.fileSource).toBe('built-in defaults');
    expect(c.file.routing.defaultSeverity).toBe('sev2');
    expect(c.file.metrics.roles.error_ratio).toBe('service:http_errors:ratio_rate5m{service="{{service}}"}');
  });

  it('treats empty values as unset, as in a copied .env.example', () => {
    const c = loadConfig({ PORT: '', DATABASE_URL: '', SLACK_BOT_TOKEN: '  ' }, emptyDir);
    expect(c.env.PORT).toBe(3000);
    expect(c.env.SLACK_BOT_TOKEN).toBeUndefined();
  });

  it('names PORT when it is not a number', () => {
    const problems = problemsOf(() => loadConfig({ PORT: 'abc' }, emptyDir));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^PORT: expected a port number/);
  });

  it('names every bad setting in one error', () => {
    const problems = problemsOf(() =>
      loadConfig(
        { PORT: '70000', DATABASE_URL: 'mysql://x', REDIS_URL: 'http://x', SLACK_BOT_TOKEN: 'nope', LOG_LEVEL: 'loud' },
        emptyDir,
      ),
    );
    const keys = problems.map((p) => p.split(':')[0]);
    // A malformed setting does not hide a missing one that another setting needs (the signing secret).
    expect(keys.sort()).toEqual([
      'DATABASE_URL',
      'LOG_LEVEL',
      'PORT',
      'REDIS_URL',
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
    ]);
  });

  it('runs every role in one process unless ROLE says web or worker, and names a role it does not know', () => {
    expect(loadConfig({}, emptyDir).env.ROLE).toBe('all');
    expect(loadConfig({ ROLE: 'worker' }, emptyDir).env.ROLE).toBe('worker');
    expect(problemsOf(() => loadConfig({ ROLE: 'cron' }, emptyDir))).toEqual([
      'ROLE: expected one of web, worker, all',
    ]);
  });

  it('requires a signing secret with a bot token in HTTP mode', () => {
    const problems = problemsOf(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1-2-3' }, emptyDir));
    expect(problems[0]).toMatch(/^SLACK_SIGNING_SECRET: required/);
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }, emptyDir).env.SLACK_APP_TOKEN).toBe(
      'xapp-1',
    );
  });

  it('reads COPILOT_CONFIG and reports its problems with the file name and path', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'copilot-config-'));
    writeFileSync(
      path.join(dir, 'bad.yml'),
      'teams:\n  - name: web\n    alertsChannel: "#web"\n    timeZone: Mars/Olympus\n',
    );
    const problems = problemsOf(() => loadConfig({ COPILOT_CONFIG: 'bad.yml', PORT: 'x' }, dir));
    expect(problems.some((p) => p.startsWith('PORT:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('bad.yml: teams.0.timeZone:'))).toBe(true);
  });

  it('picks up copilot.yml in the working directory', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'copilot-config-'));
    writeFileSync(path.join(dir, 'copilot.yml'), 'services:\n  - name: api\n');
    const c = loadConfig({}, dir);
    expect(c.fileSource).toBe('copilot.yml');
    expect(c.file.services[0]).toMatchObject({ name: 'api', kind: 'service', tier: 2, dependsOn: [] });
  });

  it('says when the config file is missing or not YAML', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'copilot-config-'));
    expect(problemsOf(() => loadConfig({ COPILOT_CONFIG: 'missing.yml' }, dir))[0]).toMatch(
      /^COPILOT_CONFIG: cannot read missing.yml/,
    );
    writeFileSync(path.join(dir, 'broken.yml'), 'teams: [unclosed');
    expect(problemsOf(() => loadConfig({ COPILOT_CONFIG: 'broken.yml' }, dir))[0]).toMatch(
      /^broken.yml: not valid YAML/,
    );
  });
});

describe('parseFileConfig cross-checks', () => {
  it('names references to things that do not exist', () => {
    const problems = problemsOf(() =>
      parseFileConfig({
        users: [{ id: 'a', name: 'A' }],
        teams: [{ name: 'web', alertsChannel: '#web', lead: 'ghost', businessHours: { start: '18:00', end: '09:00' } }],
        services: [{ name: 'api', team: 'nope', dependsOn: ['db'] }],
        routing: { rules: [{ match: { severity: { regex: '(' } }, severity: 'sev1', escalationPolicy: 'missing' }] },
        escalationPolicies: [{ name: 'p', steps: [{ targets: [{ type: 'schedule', id: 'rot' }] }] }],
        actions: [{ name: 'restart', runner: { type: 'sandbox' }, undo: 'unknown_action' }],
      }),
    );
    expect(problems).toEqual([
      'config: services.0.team: unknown team "nope"',
      'config: services.0.dependsOn.0: unknown service "db"',
      'config: teams.0.lead: unknown user "ghost"',
      'config: teams.0.businessHours: start must be before end',
      'config: routing.rules.0.escalationPolicy: unknown escalation policy "missing"',
      'config: routing.rules.0.match.severity: invalid regular expression',
      'config: escalationPolicies.0.steps.0.targets.0: unknown schedule "rot"',
      'config: actions.0.undo: unknown action "unknown_action"',
    ]);
  });

  it('parses durations', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(() => parseDuration('5 minutes')).toThrow();
  });

  it('refuses a duration given as a bare number, naming the setting and the units to use', () => {
    const policy = (delay: unknown) => ({
      escalationPolicies: [{ name: 'p', steps: [{ targets: [{ type: 'team_lead' }], delay }] }],
    });
    expect(() => parseFileConfig(policy(300), 'copilot.yml')).toThrow(
      'escalationPolicies.0.steps.0.delay: expected a duration with a unit, like "300s" or "300ms", not a bare number',
    );
    expect(parseFileConfig(policy('300s'), 'copilot.yml').escalationPolicies[0]!.steps[0]!.delay).toBe(300_000);
  });

  it('accepts the commented example file', () => {
    const c = loadConfig({ COPILOT_CONFIG: 'copilot.example.yml' }, repoRoot);
    expect(c.file.services.map((s) => s.name)).toContain('checkout');
    expect(c.file.escalationPolicies[0]!.ackWindow).toEqual({ businessHours: 300_000, overnight: 900_000 });
  });
});

describe('.env.example', () => {
  it('lists exactly the keys of the settings schema, each with a comment', () => {
    const lines = readFileSync(path.join(repoRoot, '.env.example'), 'utf8').split('\n');
    const keys: string[] = [];
    lines.forEach((line, i) => {
      const m = /^([A-Z0-9_]+)=/.exec(line);
      if (!m) return;
      keys.push(m[1]!);
      expect(lines[i - 1], `${m[1]} needs a comment above it`).toMatch(/^#/);
    });
    expect(keys.sort()).toEqual([...ENV_KEYS].sort());
  });
});

describe('OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  const emptyDir = mkdtempSync(path.join(os.tmpdir(), 'copilot-otel-'));
  for (const bad of ['not-a-url', 'http://', 'ftp://collector:4318', 'http://a b']) {
    it(`names ${JSON.stringify(bad)} once, with what it expects`, () => {
      const problems = problemsOf(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: bad }, emptyDir));
      expect(problems).toEqual([
        'OTEL_EXPORTER_OTLP_ENDPOINT: expected an http(s) URL of an OTLP/HTTP collector (spans go to <endpoint>/v1/traces)',
      ]);
    });
  }

  it('takes an http(s) URL', () => {
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318' }, emptyDir).env).toMatchObject({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318',
    });
  });
});
