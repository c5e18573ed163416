// The view model of a postmortem's review message: what blocks/postmortem.ts renders.
import type { Incident } from '../incidents/repository.js';
import type { Postmortem, PostmortemStatus, PublishedIssue } from './repository.js';

export interface PostmortemView {
  postmortemId: number;
  publicId: string;
  status: PostmortemStatus;
  version: number;
  /** The Markdown (untrusted in parts: alert and chat text); the builder escapes and truncates it. */
  markdown: string;
  author: string;
  prUrl: string | null;
  issues: PublishedIssue[];
  lastError: string | null;
}

export function buildPostmortemView(pm: Postmortem, incident: Pick<Incident, 'publicId'>): PostmortemView {
  return {
    postmortemId: pm.id,
    publicId: incident.publicId,
    status: pm.status,
    version: pm.version,
    markdown: pm.markdown,
    author: pm.author,
    prUrl: pm.prUrl,
    issues: pm.issues,
    lastError: pm.lastError,
  };
}
