// Who people are: config users to Slack ids and back, and escalation targets resolved to the Slack users to page.
import type { EscalationTarget, FileConfig, UserDef } from '../config.js';
import type { ChatNotifier } from '../incidents/chat-notifier.js';
import { currentOncall, type ScheduleOverride } from './schedules.js';

/** Where on-call answers come from: config rotations with recorded overrides, or PagerDuty. */
export interface OnCallLookup {
  /** Config user id (or, from PagerDuty, a Slack id) of the schedule's primary or secondary at `at`. */
  whoIsOnCall(schedule: string, which: 'primary' | 'secondary', at: Date): Promise<string | undefined>;
}

/** The Slack id of a config user: `slackId`, else looked up by email, else the id itself when it looks like one. */
export async function slackIdOf(file: FileConfig, chat: ChatNotifier, userId: string): Promise<string | undefined> {
  const user = file.users.find((u) => u.id === userId);
  if (user?.slackId) return user.slackId;
  if (user?.email) {
    const found = await chat.lookupUserByEmail(user.email);
    if (found) return found.id;
  }
  return /^[UW][A-Z0-9]+$/.test(userId) ? userId : undefined;
}

/** The config user behind a Slack id, if any. */
export function configUserOf(file: FileConfig, slackId: string): UserDef | undefined {
  return file.users.find((u) => u.slackId === slackId || u.id === slackId);
}

/** How a config user is shown in Slack text: a mention when the Slack id is known, else the name. */
export function mentionOf(file: FileConfig, userId: string | undefined): string {
  if (!userId) return 'nobody';
  const user = file.users.find((u) => u.id === userId);
  if (user?.slackId) return `<@${user.slackId}>`;
  if (/^[UW][A-Z0-9]+$/.test(userId)) return `<@${userId}>`;
  return user?.name ?? userId;
}

/** On-call from the config's rotations plus the overrides recorded by /oncall swap. */
export function configOnCall(
  file: FileConfig,
  loadOverrides: (schedule: string) => Promise<ScheduleOverride[]>,
): OnCallLookup {
  return {
    async whoIsOnCall(schedule, which, at) {
      const shift = currentOncall(file, schedule, at, await loadOverrides(schedule));
      return which === 'primary' ? shift.primary : shift.secondary;
    },
  };
}

/** Resolves one step's targets to distinct Slack user ids, in order. Unknown people are skipped, not guessed. */
export async function resolveTargets(
  targets: EscalationTarget[],
  deps: { file: FileConfig; chat: ChatNotifier; oncall: OnCallLookup; team: string | null; at: Date },
): Promise<{ users: string[]; unresolved: string[] }> {
  const users: string[] = [];
  const unresolved: string[] = [];
  const add = (id: string | undefined, what: string) => {
    if (!id) unresolved.push(what);
    else if (!users.includes(id)) users.push(id);
  };
  for (const t of targets) {
    if (t.type === 'user') add(await slackIdOf(deps.file, deps.chat, t.id), `user ${t.id}`);
    else if (t.type === 'schedule') {
      const who = await deps.oncall.whoIsOnCall(t.id, t.which, deps.at);
      add(who ? await slackIdOf(deps.file, deps.chat, who) : undefined, `${t.which} of schedule ${t.id}`);
    } else if (t.type === 'usergroup') {
      const members = await deps.chat.listUserGroupMembers(t.id);
      if (members.length === 0) unresolved.push(`user group ${t.id}`);
      for (const m of members) add(m, `user group ${t.id}`);
    } else {
      const teamName = t.team ?? deps.team;
      const lead = deps.file.teams.find((x) => x.name === teamName)?.lead;
      add(lead ? await slackIdOf(deps.file, deps.chat, lead) : undefined, `lead of team ${teamName ?? '(none)'}`);
    }
  }
  return { users, unresolved };
}
