// Where the local workspace serves an incident's scenario file: what its investigator saw, from the world inside
// `npm start` (incidents-router.ts serves it; the CLI's export-scenario points there for workspace incidents).

/** The path of incident `publicId`'s scenario file on the running workspace. */
export function scenarioRoute(publicId: string): string {
  return `/sandbox/console/api/incidents/${encodeURIComponent(publicId)}/scenario.json`;
}

/** An exported incident, or why not: `status` 404 for no such incident, 409 for one that cannot be exported. */
export type ScenarioExport =
  { ok: true; publicId: string; scenario: unknown } | { ok: false; status: 404 | 409; error: string };
