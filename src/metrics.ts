// Prometheus metrics (prom-client): process metrics plus the app's own counters and histograms, served on /metrics.
import { Counter, Histogram, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export interface AppMetrics {
  registry: Registry;
  webhookDeliveries: Counter<'source' | 'outcome'>;
  webhookLatency: Histogram<'source'>;
  slackRequests: Counter<'kind' | 'outcome'>;
  jobsProcessed: Counter<'job' | 'outcome'>;
  jobDuration: Histogram<'job'>;
  timerLateness: Histogram<'job'>;
  incidentsOpened: Counter<'severity'>;
  investigationDuration: Histogram<'mode'>;
  openIncidents: Gauge<'severity'>;
  /** Per SLO: share of the error budget left (1 untouched, 0 spent, negative overspent), as last checked. */
  sloBudgetRemaining: Gauge<'slo' | 'service'>;
  /** Per SLO and policy state: 1 for the SLO's current state, 0 for the others. */
  sloPolicyState: Gauge<'slo' | 'service' | 'state'>;
  /** Resolved incidents by how they were mitigated (copilot_alone, human_approval, humans) and confirmed category. */
  incidentsResolved: Counter<'class' | 'category'>;
  /** Opened to mitigated (or resolved), by class and confirmed category. */
  timeToMitigate: Histogram<'class' | 'category'>;
  /** The top hypothesis against the confirmed root cause, by category and result (right, wrong). */
  topHypothesis: Counter<'category' | 'result'>;
}

/** A fresh registry per app instance, so tests can build several apps in one process. */
export function createMetrics(): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const r = [registry];
  return {
    registry,
    webhookDeliveries: new Counter({
      name: 'copilot_webhook_deliveries_total',
      help: 'Webhook deliveries by source and outcome',
      labelNames: ['source', 'outcome'],
      registers: r,
    }),
    webhookLatency: new Histogram({
      name: 'copilot_webhook_answer_seconds',
      help: 'Time to answer a webhook delivery',
      labelNames: ['source'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: r,
    }),
    slackRequests: new Counter({
      name: 'copilot_slack_requests_total',
      help: 'Slack requests handled, by kind and outcome',
      labelNames: ['kind', 'outcome'],
      registers: r,
    }),
    jobsProcessed: new Counter({
      name: 'copilot_jobs_processed_total',
      help: 'Jobs processed, by job and outcome',
      labelNames: ['job', 'outcome'],
      registers: r,
    }),
    jobDuration: new Histogram({
      name: 'copilot_job_duration_seconds',
      help: 'Job run time',
      labelNames: ['job'],
      registers: r,
    }),
    timerLateness: new Histogram({
      name: 'copilot_timer_lateness_seconds',
      help: 'How late jobs started after they were due',
      labelNames: ['job'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 60, 300],
      registers: r,
    }),
    incidentsOpened: new Counter({
      name: 'copilot_incidents_opened_total',
      help: 'Incidents opened, by severity',
      labelNames: ['severity'],
      registers: r,
    }),
    investigationDuration: new Histogram({
      name: 'copilot_investigation_seconds',
      help: 'Investigation run time',
      labelNames: ['mode'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: r,
    }),
    openIncidents: new Gauge({
      name: 'copilot_open_incidents',
      help: 'Open incidents by severity',
      labelNames: ['severity'],
      registers: r,
    }),
    sloBudgetRemaining: new Gauge({
      name: 'copilot_slo_error_budget_remaining_ratio',
      help: 'Share of the SLO error budget left over its period (1 untouched, 0 spent, negative overspent)',
      labelNames: ['slo', 'service'],
      registers: r,
    }),
    sloPolicyState: new Gauge({
      name: 'copilot_slo_policy_state',
      help: 'Error-budget policy state per SLO: 1 for the current state (ship_freely, soft_pause, hard_pause, unknown)',
      labelNames: ['slo', 'service', 'state'],
      registers: r,
    }),
    incidentsResolved: new Counter({
      name: 'copilot_incidents_resolved_total',
      help: 'Resolved incidents by mitigation class (copilot_alone, human_approval, humans) and root-cause category',
      labelNames: ['class', 'category'],
      registers: r,
    }),
    timeToMitigate: new Histogram({
      name: 'copilot_time_to_mitigate_seconds',
      help: 'Time from an incident opening to its mitigation (or resolve), by mitigation class and category',
      labelNames: ['class', 'category'],
      buckets: [30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400],
      registers: r,
    }),
    topHypothesis: new Counter({
      name: 'copilot_top_hypothesis_total',
      help: "The copilot's top hypothesis against the confirmed root cause, by category and result (right, wrong)",
      labelNames: ['category', 'result'],
      registers: r,
    }),
  };
}
