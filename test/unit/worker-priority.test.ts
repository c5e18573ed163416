import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { lowerWorkerPriority, type PriorityPort } from '../../src/worker-priority.js';

function port(start: number, fail = false): PriorityPort & { value: number; calls: number[] } {
  const p = {
    value: start,
    calls: [] as number[],
    get: () => p.value,
    set: (v: number) => {
      p.calls.push(v);
      if (fail) throw Object.assign(new Error('not permitted'), { code: 'EACCES' });
      p.value = v;
    },
  };
  return p;
}

const logger = createLogger({ level: 'silent' });

describe('a worker role lowers its own CPU priority', () => {
  it('a worker at nice 0 runs at WORKER_NICE', () => {
    const p = port(0);
    expect(lowerWorkerPriority('worker', 10, logger, p)).toBe(10);
    expect(p.value).toBe(10);
  });

  it('web and all roles are left alone, and so is a worker the operator already made nicer', () => {
    for (const role of ['web', 'all'] as const) {
      const p = port(0);
      expect(lowerWorkerPriority(role, 10, logger, p)).toBe(0);
      expect(p.calls).toEqual([]);
    }
    const p = port(15);
    expect(lowerWorkerPriority('worker', 10, logger, p)).toBe(15);
    expect(p.calls).toEqual([]);
  });

  it('WORKER_NICE=0 changes nothing; a platform that refuses leaves the worker running as it was', () => {
    const zero = port(0);
    expect(lowerWorkerPriority('worker', 0, logger, zero)).toBe(0);
    expect(zero.calls).toEqual([]);
    const refusing = port(0, true);
    expect(lowerWorkerPriority('worker', 10, logger, refusing)).toBe(0);
    expect(refusing.calls).toEqual([10]);
  });

  it('WORKER_NICE is read at the configuration boundary: default 10, 0 to 19, anything else named', () => {
    expect(loadConfig({}).env.WORKER_NICE).toBe(10);
    expect(loadConfig({ WORKER_NICE: '0' }).env.WORKER_NICE).toBe(0);
    expect(loadConfig({ WORKER_NICE: '19' }).env.WORKER_NICE).toBe(19);
    expect(() => loadConfig({ WORKER_NICE: '20' })).toThrow(/WORKER_NICE.*0 to 19/);
    expect(() => loadConfig({ WORKER_NICE: '-5' })).toThrow(/WORKER_NICE.*0 to 19/);
    expect(() => loadConfig({ WORKER_NICE: 'low' })).toThrow(/WORKER_NICE.*0 to 19/);
  });
});
