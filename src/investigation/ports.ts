// The investigator's ports: what it needs from the outside world, and the answer it gives (docs/scenario-format.md, "The answer").
import type { Unit } from './format-value.js';
import type {
  Category,
  Change,
  Deploy,
  LogLine,
  PastIncident,
  Runbook,
  ServiceNode,
  Series,
} from './evidence-model.js';

/** A time range, in unix milliseconds. */
export interface TimeRange {
  start: number;
  end: number;
  /** Step between points, milliseconds. */
  stepMs: number;
}

/** Metrics by role (error_ratio, cpu, ...), answered as Prometheus matrix results. */
export interface MetricsSource {
  /** The series of one metric role for one service (several series when a label such as upstream or queue varies). */
  queryRole(role: string, service: string, range: TimeRange): Promise<Series[]>;
  /** A raw PromQL range query (for the model's query_metrics tool). */
  queryRange(promql: string, range: TimeRange): Promise<Series[]>;
}

export interface LogSource {
  /** Log lines of a service in a range, oldest first; `contains` filters by substring. */
  search(query: {
    service?: string;
    contains?: string;
    level?: LogLine['level'];
    range: TimeRange;
    limit?: number;
  }): Promise<LogLine[]>;
}

export interface ChangeSource {
  listDeploys(range: TimeRange, service?: string): Promise<Deploy[]>;
  listChanges(range: TimeRange, service?: string): Promise<Change[]>;
  /** One commit's details (message, files), where known. */
  getCommit?(sha: string, service?: string): Promise<{ sha: string; message: string; files: string[] } | undefined>;
}

export interface IncidentHistory {
  similar(query: { service?: string; text?: string; limit?: number }): Promise<PastIncident[]>;
}

export interface RunbookSource {
  list(): Promise<Runbook[]>;
}

export interface ServiceGraph {
  services(): Promise<ServiceNode[]>;
}

/** Everything an investigation can draw on. A missing source is reported as missing evidence, not an error. */
export interface EvidenceSources {
  graph: ServiceGraph;
  metrics?: MetricsSource;
  logs?: LogSource;
  changes?: ChangeSource;
  history?: IncidentHistory;
  runbooks?: RunbookSource;
}

/** What paged: the normalised fields the investigator needs (from an Alertmanager or PagerDuty page). */
export interface PageSummary {
  source: 'alertmanager' | 'pagerduty' | 'manual';
  alertname?: string;
  service?: string;
  severity?: string;
  summary?: string;
  /** Untrusted: shown to the model as quoted data only. */
  annotations: Record<string, string>;
  labels: Record<string, string>;
  startsAt: string;
}

export interface EvidenceRef {
  kind: 'deploy' | 'change' | 'metric' | 'log' | 'past_incident' | 'runbook';
  /** A deploy or change id, a series selector, a log line's text, a past incident id or a runbook id. */
  ref: string;
  detail: string;
  /** For a metric: the role it was read as (error_ratio, latency_p99, ...) and so its unit, for charts and numbers. */
  role?: string;
  unit?: Unit;
}

export interface Hypothesis {
  category: Exclude<Category, 'novel'>;
  service: string;
  cause: string | null;
  confidence: number;
  summary: string;
  evidence: EvidenceRef[];
}

export interface SuggestedStep {
  runbook: string;
  step: number;
  text: string;
  action: string | null;
  /** What `runbooks lint` says of the step or its runbook (vague, not drilled), shown beside it in the briefing. */
  marks?: string[];
}

/** The investigator's answer, exactly the JSON answer of docs/scenario-format.md plus a few optional extras. */
export interface InvestigationResult {
  scenario?: string;
  novel: boolean;
  hypotheses: Hypothesis[];
  suggestedStep: SuggestedStep | null;
  /** What was checked and found normal. */
  checked?: string[];
  /** What is anomalous (always filled when novel). */
  anomalies?: string[];
  /** Evidence sources that were unavailable (e.g. "metrics: Prometheus unreachable"). */
  missing?: string[];
  /** Set when the model path was tried and did not contribute ("model unavailable: timeout"). */
  modelNote?: string;
  /** Calibrated probability that no known category explains the page (the confidence of a `novel` answer). */
  novelConfidence?: number;
  /**
   * When the trouble began (epoch ms): the earliest change point of the symptoms tied to the page. Earlier than the
   * alert's start, which waits out the rule's `for:` window after the rise. Absent when no change point was found.
   */
  onset?: number;
}

/** One recorded step of an investigation (an OpenTelemetry GenAI-style span), stored with the incident. */
export interface InvestigationStep {
  name: string;
  /**
   * What the span is: an evidence query, a model call, a tool call, a decision (a dropped hypothesis, a policy
   * decision, a correlation join); and the decision trace's structure: the incident (the trace's root), one
   * investigation, a hypothesis, a finding (evidence a hypothesis cites, an anomaly), an action, its verification.
   */
  kind:
    | 'query'
    | 'model_call'
    | 'tool_call'
    | 'decision'
    | 'incident'
    | 'investigation'
    | 'hypothesis'
    | 'finding'
    | 'action'
    | 'verification';
  startedAt: number;
  durationMs: number;
  attributes: Record<string, unknown>;
  /** The span's id (16 hex digits) when the caller names it (to parent others on it); otherwise one is drawn. */
  spanId?: string;
  /** The parent span's id; otherwise the parent given to saveSpans, else the incident's root span. */
  parentSpanId?: string | null;
}

/** Receives each step as it happens. */
export type StepRecorder = (step: InvestigationStep) => void;
