// The local workspace's people, bot and default channels: fixed ids that the default config and tests can refer to.

/** A person in the local workspace. */
export interface RosterUser {
  id: string;
  /** Slack handle (the `name` field of users.info). */
  name: string;
  realName: string;
  /** Shown in the console's "act as" picker. */
  title: string;
  email: string;
  timeZone: string;
}

export const SANDBOX_TEAM = { id: 'T0SANDBOX', name: 'Local Workspace', domain: 'local-workspace' } as const;

/** The copilot's bot user, as auth.test reports it. */
export const SANDBOX_BOT = {
  userId: 'U0COPILOT',
  botId: 'B0COPILOT',
  appId: 'A0COPILOT',
  name: 'incident-copilot',
} as const;

export const ROSTER: readonly RosterUser[] = [
  {
    id: 'U0PRIMARY',
    name: 'priya',
    realName: 'Priya',
    title: 'on-call primary',
    email: 'priya@example.com',
    timeZone: 'Europe/Berlin',
  },
  {
    id: 'U0SECONDARY',
    name: 'sam',
    realName: 'Sam',
    title: 'on-call secondary',
    email: 'sam@example.com',
    timeZone: 'America/New_York',
  },
  {
    id: 'U0MANAGER',
    name: 'maria',
    realName: 'Maria',
    title: 'engineering manager',
    email: 'maria@example.com',
    timeZone: 'Europe/London',
  },
  { id: 'U0BYSTANDER', name: 'ben', realName: 'Ben', title: 'not on call', email: 'ben@example.com', timeZone: 'UTC' },
];

/** Roster ids by role, for config and tests. */
export const RosterIds = {
  primary: 'U0PRIMARY',
  secondary: 'U0SECONDARY',
  manager: 'U0MANAGER',
  bystander: 'U0BYSTANDER',
} as const;

/** User groups of the local workspace (usergroups.users.list). */
export const SANDBOX_USERGROUPS: readonly { id: string; handle: string; name: string; users: string[] }[] = [
  { id: 'S0ONCALL', handle: 'oncall', name: 'On-call', users: ['U0PRIMARY', 'U0SECONDARY'] },
  { id: 'S0PLATFORM', handle: 'platform', name: 'Platform team', users: ['U0PRIMARY', 'U0SECONDARY', 'U0MANAGER'] },
];

/** Team channels that exist from the start; everyone and the bot are members. */
export const SANDBOX_CHANNELS: readonly { id: string; name: string; topic: string }[] = [
  { id: 'C0ALERTS', name: 'alerts', topic: 'Pointers to new incidents and low-severity alerts' },
  { id: 'C0ONCALL', name: 'oncall', topic: 'Handoffs and on-call chatter' },
  { id: 'C0GENERAL', name: 'general', topic: 'Everything else' },
];
