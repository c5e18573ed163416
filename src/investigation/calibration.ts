// Confidence by signature and evidence strength, fitted empirically on a calibration set (see fit notes below).
import type { Category } from './scenario.js';

/** How strong the evidence behind a top answer is; each signature reports one of these. */
export type Strength = 'strong' | 'weak';

/**
 * Fitted with fit-calibration.ts on calibration seed 1001 (660 generated scenarios) plus the 11 shared examples:
 * (correct + 1) / (n + 2) per bucket. Every strong bucket held 53..61 answers, all right; weak answers were too few
 * per category (12 in all, all right), so they share one pooled value. Refit on a fresh calibration seed whenever
 * the investigator or the generator changes, and check ECE on other seeds (`incident-copilot eval DIR`).
 */
const STRONG = 0.984;
const WEAK = 0.929;
const TABLE: Record<Category, Record<Strength, number>> = {
  bad_deploy: { strong: STRONG, weak: WEAK },
  config_change: { strong: STRONG, weak: WEAK },
  third_party_outage: { strong: 0.982, weak: WEAK },
  cpu_saturation: { strong: STRONG, weak: WEAK },
  traffic_surge: { strong: STRONG, weak: WEAK },
  memory_leak: { strong: STRONG, weak: WEAK },
  db_saturation: { strong: STRONG, weak: WEAK },
  certificate_expiry: { strong: STRONG, weak: WEAK },
  disk_full: { strong: STRONG, weak: WEAK },
  queue_backlog: { strong: STRONG, weak: WEAK },
  novel: { strong: STRONG, weak: WEAK },
};

export function calibratedConfidence(category: Category, strength: Strength): number {
  return TABLE[category][strength];
}
