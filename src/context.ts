// The application context: what src/app.ts builds once and hands to every capability's install function and handler.
import type { Knex } from 'knex';
import type { AppConfig } from './config.js';
import type { Logger } from './logger.js';
import type { Database } from './adapters/db/database.js';
import type { JobQueue } from './jobs/job-queue.js';
import type { AppMetrics } from './metrics.js';
import type { DomainEvents } from './domain-events.js';
import type { ChatNotifier } from './incidents/chat-notifier.js';
import type { EvidenceSources } from './investigation/ports.js';
import type { SpanSink } from './investigation/spans-repository.js';
import type { ChartRenderer } from './investigation/chart-view.js';
import type { LanguageModel } from './investigation/agent/language-model.js';
import type { PagerDutyClient, PagerDutyEvents } from './oncall/ports.js';
import type { DrillWorld } from './drills/command.js';

/** The clock: every "now" in the product comes from here, so tests and the local workspace's world can move time. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Outside services that are optional: absent when their settings are unset. */
export interface OptionalServices {
  /** Evidence for investigations (metrics, logs, deploys, history, runbooks). */
  evidence: EvidenceSources;
  /** The language model for the investigation agent (ANTHROPIC_API_KEY); absent: deterministic investigator only. */
  model?: LanguageModel;
  /** PagerDuty's REST API for on-call (PAGERDUTY_TOKEN); absent: schedules and policies come from the config. */
  pagerduty?: PagerDutyClient;
  /** PagerDuty's Events API v2 (PAGERDUTY_ROUTING_KEY); absent: a page Slack refuses is not sent to PagerDuty. */
  pagerdutyEvents?: PagerDutyEvents;
  /** Draws charts as SVG (presenters/charts, through the Slack surface); absent: no chart is committed with a postmortem. */
  charts?: ChartRenderer;
  /** The world drills run in (`/drill`; supplied by the CLI's start, from the local world); absent: no /drill. */
  drills?: DrillWorld;
  /** Exports the decision trace's spans over OTLP/HTTP as they are stored (OTEL_EXPORTER_OTLP_ENDPOINT); absent: stored only. */
  traces?: SpanSink;
}

export interface AppContext {
  config: AppConfig;
  logger: Logger;
  db: Database;
  /** Shortcut for db.knex. PGlite has one connection: inside a transaction, use the transaction object only. */
  knex: Knex;
  queue: JobQueue;
  clock: Clock;
  metrics: AppMetrics;
  events: DomainEvents;
  chat: ChatNotifier;
  services: OptionalServices;
}
