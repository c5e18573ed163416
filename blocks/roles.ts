// Incident role messages: the announcement in the channel when someone is given a role.
import { escapeMrkdwn } from './limits.js';

const mention = (id: string) => (/^[UW][A-Z0-9]{2,}$/.test(id) ? `<@${id}>` : escapeMrkdwn(id));

export function buildRoleAnnouncement(a: { publicId: string; role: string; user: string; by: string }): string {
  return `:busts_in_silhouette: ${mention(a.user)} is now the ${escapeMrkdwn(a.role)} of ${escapeMrkdwn(a.publicId)}${a.by === a.user ? ' (took the role)' : ` (given by ${mention(a.by)})`}.`;
}
