// The chat port: what the core needs from a chat surface (Slack today), named for the core's needs, not Slack's API.

/**
 * A Block Kit block. The core treats blocks as opaque JSON built by blocks/ (Slack's KnownBlock, which the Slack
 * adapter sends as it is), so the port names no vendor type.
 */
export type ChatBlock = object;

export interface PostedMessage {
  channel: string;
  ts: string;
}

/** What a message is, carried with it but not shown (a briefing of one incident): `type` and a `key` within it. */
export interface MessageMarker {
  type: string;
  key: string;
}

export interface ChatUser {
  id: string;
  name: string;
  email?: string;
  timeZone?: string;
}

/**
 * Chat operations. Implementations turn vendor errors into ExternalServiceError (retryable with retryAfterMs on
 * rate limits) so that jobs back off and retry.
 */
export interface ChatNotifier {
  /**
   * Creates a public channel; when the name is taken, tries name-2, name-3, ... and returns the one created. A call
   * that would wait longer than `maxWaitMs` for the chat's pace fails at once with RateLimitedError (retryAfterMs).
   * With `adoptOwnWithinMs`, a taken `name` whose channel this app created within that long is returned as the one
   * created (an earlier attempt's create went through but its answer was lost).
   */
  createChannel(
    name: string,
    opts?: { maxWaitMs?: number; adoptOwnWithinMs?: number },
  ): Promise<{ id: string; name: string }>;
  setTopic(channel: string, topic: string): Promise<void>;
  invite(channel: string, userIds: string[]): Promise<void>;
  /** With `marker`, the message carries it unseen (Slack: message metadata), for findOwnMessage. */
  postMessage(
    channel: string,
    text: string,
    blocks?: ChatBlock[],
    threadTs?: string,
    marker?: MessageMarker,
  ): Promise<PostedMessage>;
  /** With `marker`, the message's marker becomes it; without, the marker it has stays. */
  updateMessage(channel: string, ts: string, text: string, blocks?: ChatBlock[], marker?: MessageMarker): Promise<void>;
  /**
   * The newest top-level message this app posted since `since` in `where` (a channel, or the DM with `user`) whose
   * marker has `type` and a key `matches` accepts, when there is one (with that key). A retry asks before posting
   * again what an earlier attempt may have posted (its answer lost, its record failed, or its process killed), so the
   * chat does not get a second copy.
   */
  findOwnMessage(
    where: string | { user: string },
    type: string,
    since: Date,
    matches: (key: string) => boolean,
  ): Promise<(PostedMessage & { key: string }) | undefined>;
  /**
   * Resolves when a message in `channel` could be posted or edited at once (the chat's per-channel pace), or `leadMs`
   * before then; books nothing. Optional: a chat without a pace leaves it out. A digest waits for it before reading
   * what it will show.
   */
  channelTurn?(channel: string, leadMs?: number): Promise<void>;
  /**
   * Resolves when an edit (`chat.update`) could go at once under the chat's workspace-wide budget of edits; books
   * nothing. Optional: a chat without a budget leaves it out. A digest's refresh waits for it before taking its turn.
   */
  editTurn?(): Promise<void>;
  postEphemeral(channel: string, user: string, text: string, blocks?: ChatBlock[]): Promise<void>;
  /** Opens a DM with a user and posts into it (with `marker`, as postMessage). */
  sendDirect(user: string, text: string, blocks?: ChatBlock[], marker?: MessageMarker): Promise<PostedMessage>;
  uploadFile(
    channel: string,
    file: { filename: string; title: string; content: Buffer; threadTs?: string },
  ): Promise<void>;
  getUser(userId: string): Promise<ChatUser | undefined>;
  lookupUserByEmail(email: string): Promise<ChatUser | undefined>;
  listUserGroupMembers(groupId: string): Promise<string[]>;
}
