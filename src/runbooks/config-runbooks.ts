// The runbooks of the config file (inline Markdown or files), as the investigator's RunbookSource.
import { readFile } from 'node:fs/promises';
import type { FileConfig } from '../config.js';
import { ExternalServiceError } from '../errors.js';
import type { RunbookSource } from '../investigation/ports.js';
import type { Runbook } from '../investigation/evidence-model.js';

/**
 * Reads the configured runbooks on every call, so an edited runbook file is used by the next investigation without
 * a restart. A file that cannot be read fails the source (the investigation lists runbooks as missing evidence).
 */
export function createConfigRunbookSource(file: Pick<FileConfig, 'runbooks'>): RunbookSource | undefined {
  if (file.runbooks.length === 0) return undefined;
  return {
    async list(): Promise<Runbook[]> {
      return Promise.all(
        file.runbooks.map(async (r) => {
          let markdown = r.markdown;
          if (markdown === undefined) {
            try {
              markdown = await readFile(r.file!, 'utf8');
            } catch (err) {
              throw new ExternalServiceError(
                'runbooks',
                `cannot read runbook ${r.id} from ${r.file}: ${(err as Error).message}`,
                { retryable: false, cause: err },
              );
            }
          }
          return { id: r.id, title: r.title, alerts: [...r.alerts], markdown };
        }),
      );
    },
  };
}
