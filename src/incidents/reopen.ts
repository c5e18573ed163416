// Pure rules of reopening: how long after the resolve the group fired again, and the note the channel gets.
import { escapeMrkdwn } from '../../blocks/limits.js';

/** Whole minutes from the resolve to the alert that reopened the incident (never negative). */
export function minutesAfterResolve(resolvedAt: Date, firedAt: Date): number {
  return Math.max(0, Math.floor((firedAt.getTime() - resolvedAt.getTime()) / 60_000));
}

/** The channel note: "Reopened: HighErrorRate fired again 4 min after resolve". The alert name is data, escaped. */
export function buildReopenedText(alertname: string, minutes: number): string {
  return `:repeat: Reopened: ${escapeMrkdwn(alertname)} fired again ${minutes} min after resolve`;
}
