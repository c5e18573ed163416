// Who is invited to an incident channel: the team's user group and the paged service's owners (services.owners).
import { describe, expect, it } from 'vitest';
import { parseFileConfig } from '../../../../../src/config.js';
import type { AppContext } from '../../../../../src/context.js';
import { responderIds } from '../../../../../presenters/slack/jobs/open-incident-channel.js';
import type { Incident } from '../../../../../src/incidents/repository.js';

function ctxWith(
  file: unknown,
  emails: Record<string, string> = {},
  groups: Record<string, string[]> = {},
): { ctx: AppContext; warnings: unknown[] } {
  const warnings: unknown[] = [];
  const ctx = {
    config: { file: parseFileConfig(file, 'test') },
    clock: { now: () => new Date('2026-11-22T06:00:00Z') },
    logger: { warn: (obj: unknown) => warnings.push(obj) },
    chat: {
      lookupUserByEmail: async (email: string) => (emails[email] ? { id: emails[email] } : undefined),
      listUserGroupMembers: async (id: string) => groups[id] ?? [],
    },
  } as unknown as AppContext;
  return { ctx, warnings };
}

const incident = (service: string | null) => ({ id: 1, team: 'payments', service }) as Incident;

const FILE = {
  users: [
    { id: 'maria', name: 'Maria', slackId: 'U0MANAGER' },
    { id: 'ben', name: 'Ben', email: 'ben@example.com' },
    { id: 'zoe', name: 'Zoe', email: 'zoe@example.com' },
  ],
  teams: [{ name: 'payments', alertsChannel: 'C0ALERTS', slackUserGroup: 'S0PLATFORM' }],
  services: [
    { name: 'checkout', team: 'payments', owners: ['maria', 'ben'] },
    { name: 'ledger', team: 'payments', owners: ['zoe'] },
  ],
};

describe('responderIds', () => {
  it("adds the paged service's owners, by Slack id or by email, to the team's user group, without duplicates", async () => {
    const { ctx } = ctxWith(FILE, { 'ben@example.com': 'U0BEN' }, { S0PLATFORM: ['U0PRIMARY', 'U0MANAGER'] });
    expect((await responderIds(ctx, incident('checkout'))).sort()).toEqual(['U0BEN', 'U0MANAGER', 'U0PRIMARY']);
  });
  it('invites only the owners of the service that paged', async () => {
    const { ctx } = ctxWith(FILE, { 'ben@example.com': 'U0BEN', 'zoe@example.com': 'U0ZOE' });
    expect(await responderIds(ctx, incident('ledger'))).toEqual(['U0ZOE']);
    expect(await responderIds(ctx, incident(null))).toEqual([]);
  });
  it('skips, with a warning, an owner Slack does not know', async () => {
    const { ctx, warnings } = ctxWith(FILE);
    expect(await responderIds(ctx, incident('checkout'))).toEqual(['U0MANAGER']);
    expect(warnings).toEqual([expect.objectContaining({ owner: 'ben' })]);
  });
});
