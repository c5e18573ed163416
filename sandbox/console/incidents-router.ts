// The incidents page's data: the list and one incident's timeline and decision trace, read through the app's own
// repositories and rendered to HTML on the server (incidents-page.ts), like the rest of the console.
import express, { type Router } from 'express';
import type { Knex } from 'knex';
import type { Logger } from '../../src/logger.js';
import { listIncidentListings } from '../../src/incidents/listings-repository.js';
import { listTimeline } from '../../src/incidents/timeline-repository.js';
import { listSpans } from '../../src/investigation/spans-repository.js';
import type { NameLookup } from './mrkdwn.js';
import { renderIncidentDetail, renderIncidentList } from './incidents-page.js';
import type { ScenarioExport } from './scenario-route.js';

export interface IncidentsConsoleOptions {
  /** The app's database; undefined until the app has started. */
  knex: () => Knex | undefined;
  /** The app's clock (the world's in the local workspace): the duration of an incident still open runs to it. */
  now: () => Date;
  names: NameLookup;
  logger: Logger;
  /** The time zone of a team's people (the config's team `timeZone`): each incident's times are shown in its team's. */
  zoneOf?: (team: string | null) => string;
  /** An incident's scenario file from what its investigator saw (the world's evidence); absent, the route says so. */
  exportScenario?: (publicId: string) => Promise<ScenarioExport>;
}

/** An incident id as the app writes them (INC-12); anything else is refused before a query. */
const PUBLIC_ID = /^[A-Za-z]+-\d{1,9}$/;

/**
 * GET /sandbox/console/api/incidents and /sandbox/console/api/incidents/:publicId, both answering `{ html }`, and
 * /sandbox/console/api/incidents/:publicId/scenario.json, the incident's scenario file (a download).
 */
export function createIncidentsRouter(opts: IncidentsConsoleOptions): Router {
  const router = express.Router();
  const db = (res: express.Response): Knex | undefined => {
    const knex = opts.knex();
    if (!knex) res.status(503).json({ error: 'the app is still starting' });
    return knex;
  };
  const fail = (res: express.Response, err: unknown) => {
    opts.logger.warn({ err }, 'console: incidents page failed');
    res.status(500).json({ error: 'could not read the incidents' });
  };

  router.get('/sandbox/console/api/incidents', (_req, res) => {
    const knex = db(res);
    if (!knex) return;
    listIncidentListings(knex, { limit: 200 }).then(
      (incidents) => res.json({ html: renderIncidentList(incidents, opts.names, opts.now(), opts.zoneOf) }),
      (err: unknown) => fail(res, err),
    );
  });

  router.get('/sandbox/console/api/incidents/:publicId', (req, res) => {
    const publicId = String(req.params.publicId);
    if (!PUBLIC_ID.test(publicId)) {
      res.status(400).json({ error: 'expected an incident id such as INC-12' });
      return;
    }
    const knex = db(res);
    if (!knex) return;
    (async () => {
      const [incident] = await listIncidentListings(knex, { publicId, limit: 1 });
      if (!incident) return res.status(404).json({ error: `no incident ${publicId}` });
      const [timeline, spans] = [
        await listTimeline(knex, incident.id),
        await listSpans(knex, { incidentId: incident.id }),
      ];
      return res.json({
        html: renderIncidentDetail(incident, timeline, spans, opts.names, opts.now(), opts.zoneOf?.(incident.team)),
      });
    })().catch((err: unknown) => fail(res, err));
  });

  router.get('/sandbox/console/api/incidents/:publicId/scenario.json', (req, res) => {
    const publicId = String(req.params.publicId);
    if (!PUBLIC_ID.test(publicId)) {
      res.status(400).json({ error: 'expected an incident id such as INC-12' });
      return;
    }
    const exportScenario = opts.exportScenario;
    if (!exportScenario) {
      res.status(501).json({ error: 'this workspace was started without the scenario export' });
      return;
    }
    if (!db(res)) return;
    exportScenario(publicId).then(
      (r) => {
        if (!r.ok) return res.status(r.status).json({ error: r.error });
        res.setHeader('Content-Disposition', `attachment; filename="${r.publicId.toLowerCase()}.json"`);
        return res.type('application/json').send(`${JSON.stringify(r.scenario, null, 1)}\n`);
      },
      (err: unknown) => {
        opts.logger.warn({ err }, 'console: scenario export failed');
        res.status(500).json({ error: 'could not export the incident' });
      },
    );
  });

  return router;
}
