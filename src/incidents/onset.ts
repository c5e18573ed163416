// When an incident began, as people are shown it: one instant for the briefing's text and the chart's onset marker.
import type { AppConfig } from '../config.js';

/**
 * The onset, in ms: the investigation's change point (where the metric departed), else the first alert's start (it
 * waits out its rule's `for:` window, so it comes after the rise), else when the incident opened.
 */
export function incidentOnset(
  incident: { investigation: { onset?: number | null } | null; openedAt: Date },
  alertStartsAt: Date | null | undefined,
): number {
  return incident.investigation?.onset ?? (alertStartsAt ?? incident.openedAt).getTime();
}

/** The IANA zone people of `team` read times in (the team's `timeZone`), UTC when the team is unknown. */
export function teamZone(file: Pick<AppConfig['file'], 'teams'>, team: string | null | undefined): string {
  return file.teams.find((t) => t.name === team)?.timeZone ?? 'UTC';
}
