// Pure rules of reopening: how long after the resolve the group fired again (the note says it).

/** Whole minutes from the resolve to the alert that reopened the incident (never negative). */
export function minutesAfterResolve(resolvedAt: Date, firedAt: Date): number {
  return Math.max(0, Math.floor((firedAt.getTime() - resolvedAt.getTime()) / 60_000));
}
