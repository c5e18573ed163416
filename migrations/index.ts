// The ordered list of migrations, as a knex migration source: the same list runs under tsx, vitest and a build.
// Add a new migration by creating migrations/YYYYMMDDHHMMSS_verb_noun.ts and appending it here.
import type { Knex } from 'knex';
import * as createCoreTables from './20261122000100_create_core_tables.js';
import * as createJobs from './20261122000200_create_jobs.js';
import * as createChangeEvents from './20261122000300_create_change_events.js';
import * as indexWebhookIds from './20261122000310_index_webhook_ids.js';
import * as createInvestigationSpans from './20261122000400_create_investigation_spans.js';
import * as createOncallTables from './20261122000500_create_oncall_tables.js';
import * as createRemediationRuns from './20261122000600_create_remediation_runs.js';
import * as addIncidentPage from './20261129000100_add_incident_page.js';
import * as createChatDigestItems from './20261130_0100_d1-slack-rate_create_chat_digest_items.js';
import * as addIncidentChatProgress from './20261130_0100_d2-roles_add_incident_chat_progress.js';
import * as createPostmortems from './20261130_0200_g-postmortem_create_postmortems.js';
import * as createSloEvaluations from './20261130_0520_sloeval_create_slo_evaluations.js';
import * as createSloPolicyStates from './20261130_0530_slopolicy_create_slo_policy_states.js';
import * as createIncidentRoles from './20261130_0540_cmds_create_incident_roles.js';
import * as createDrillRuns from './20261130_0570_drills_create_drill_runs.js';
import * as createAutonomyTables from './20261201_0610_autonomy15_create_autonomy_tables.js';
import * as addDigestItemData from './20261201_0670_burst16_add_digest_item_data.js';
import * as createDrillRequests from './20261201_0640_drill13_create_drill_requests.js';
import * as createMeasureOutcomes from './20261201_0620_measure15_create_outcomes.js';
import * as addSpanIds from './20261201_0680_trace15_add_span_ids.js';
import * as addDigestPostAttempted from './20261202_0690_dm18_add_digest_post_attempted.js';
import * as createDigestLeases from './20261202_0700_race18_create_digest_leases.js';

interface Migration {
  name: string;
  module: { up(knex: Knex): Promise<void>; down(knex: Knex): Promise<void> };
}

export const migrations: Migration[] = [
  { name: '20261122000100_create_core_tables', module: createCoreTables },
  { name: '20261122000300_create_change_events', module: createChangeEvents },
  { name: '20261122000400_create_investigation_spans', module: createInvestigationSpans },
  { name: '20261122000500_create_oncall_tables', module: createOncallTables },
  { name: '20261122000600_create_remediation_runs', module: createRemediationRuns },
  { name: '20261122000200_create_jobs', module: createJobs },
  { name: '20261122000310_index_webhook_ids', module: indexWebhookIds },
  { name: '20261129000100_add_incident_page', module: addIncidentPage },
  { name: '20261130_0100_d1-slack-rate_create_chat_digest_items', module: createChatDigestItems },
  { name: '20261130_0100_d2-roles_add_incident_chat_progress', module: addIncidentChatProgress },
  { name: '20261130_0200_g-postmortem_create_postmortems', module: createPostmortems },
  { name: '20261130_0520_sloeval_create_slo_evaluations', module: createSloEvaluations },
  { name: '20261130_0530_slopolicy_create_slo_policy_states', module: createSloPolicyStates },
  { name: '20261130_0540_cmds_create_incident_roles', module: createIncidentRoles },
  { name: '20261130_0570_drills_create_drill_runs', module: createDrillRuns },
  { name: '20261201_0610_autonomy15_create_autonomy_tables', module: createAutonomyTables },
  { name: '20261201_0670_burst16_add_digest_item_data', module: addDigestItemData },
  { name: '20261201_0640_drill13_create_drill_requests', module: createDrillRequests },
  { name: '20261201_0620_measure15_create_outcomes', module: createMeasureOutcomes },
  { name: '20261201_0680_trace15_add_span_ids', module: addSpanIds },
  { name: '20261202_0690_dm18_add_digest_post_attempted', module: addDigestPostAttempted },
  { name: '20261202_0700_race18_create_digest_leases', module: createDigestLeases },
];

export const migrationSource: Knex.MigrationSource<Migration> = {
  async getMigrations() {
    return migrations;
  },
  getMigrationName(m) {
    return m.name;
  },
  async getMigration(m) {
    return m.module;
  },
};
