// The local workspace's state: channels, messages, threads, ephemerals, modals and files, optionally persisted to JSON.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { JsonFileWriter } from './json-file-writer.js';
import { ROSTER, SANDBOX_BOT, SANDBOX_CHANNELS, SANDBOX_USERGROUPS, type RosterUser } from './roster.js';

export type Block = Record<string, unknown>;

/** A channel, DM or private channel, in the shape conversations.info returns (the fields the app reads). */
export interface SandboxChannel {
  id: string;
  name: string;
  is_channel: boolean;
  is_im: boolean;
  is_private: boolean;
  is_archived: boolean;
  created: number;
  creator: string;
  topic: { value: string; creator: string; last_set: number };
  purpose: { value: string; creator: string; last_set: number };
  /** For a DM: the person on the other side of the bot. */
  user?: string;
  members: string[];
}

/** A message as conversations.history returns it; `files` holds ids of uploaded files. */
export interface SandboxMessage {
  type: 'message';
  channel: string;
  ts: string;
  text: string;
  user?: string;
  bot_id?: string;
  app_id?: string;
  blocks?: Block[];
  thread_ts?: string;
  reply_count?: number;
  reply_users?: string[];
  latest_reply?: string;
  subtype?: string;
  edited?: { user: string; ts: string };
  reply_broadcast?: boolean;
  files?: string[];
  /** Message metadata the app attached (chat.postMessage `metadata`): read back by conversations.history. */
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

/** A message only one person sees; it lives until the page is reloaded in real Slack, here until replaced. */
export interface SandboxEphemeral {
  channel: string;
  user: string;
  ts: string;
  text: string;
  blocks?: Block[];
  thread_ts?: string;
}

/** An open modal; `view` is the view object as views.open returns it. */
export interface SandboxView {
  id: string;
  user: string;
  view: Record<string, unknown>;
  /** Per-block errors from a `response_action: errors` answer, shown under the inputs. */
  errors?: Record<string, string>;
}

export interface SandboxFile {
  id: string;
  name: string;
  title: string;
  mimetype: string;
  filetype: string;
  size: number;
  user: string;
  created: number;
  channels: string[];
  alt_text?: string;
  /** Set once the upload POST has arrived. */
  uploaded: boolean;
  /** Set by files.completeUploadExternal (or files.upload). */
  completed: boolean;
}

/** What changed, for the console's live updates. */
export interface StateChange {
  kind: 'message' | 'ephemeral' | 'channel' | 'view' | 'file';
  channel?: string;
  user?: string;
}

interface PersistedState {
  version: 1;
  channels: SandboxChannel[];
  messages: Record<string, SandboxMessage[]>;
  ephemerals: SandboxEphemeral[];
  views: SandboxView[];
  viewStacks: Record<string, string[]>;
  files: SandboxFile[];
  /** Base64 contents by file id, as written before contents had a directory of their own (read, never written). */
  fileContents?: Record<string, string>;
  lastTs: string;
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A Slack-looking id: prefix plus 10 upper-case letters and digits. */
export function newSlackId(prefix: string): string {
  const bytes = randomBytes(10);
  let out = prefix;
  for (const b of bytes) out += ID_ALPHABET[b % ID_ALPHABET.length];
  return out;
}

export interface WorkspaceStateOptions {
  /** Persist to this JSON file (debounced); memory only when unset. */
  file?: string;
  /**
   * Debounce of writes in milliseconds (default 250); a write waits at least SAVE_COST_FACTOR times as long as the last
   * one took, so a large workspace is not rewritten several times a second through a burst.
   */
  saveDelayMs?: number;
}

/** The directory, beside the state file, that holds uploaded files' bytes (named by file id). */
export const FILES_DIR = 'sandbox-files';

/** A file id as newSlackId makes them: only such names are read from or written to FILES_DIR. */
const FILE_ID = /^F[A-Z0-9]{10}$/;

/** Saves take at most about 1/20 of the process's time: the next waits 20 times as long as the last took. */
export const SAVE_COST_FACTOR = 20;

/** The whole workspace. Every mutation notifies listeners and schedules a save. */
export class WorkspaceState {
  readonly users: RosterUser[] = [...ROSTER];
  readonly usergroups = SANDBOX_USERGROUPS.map((g) => ({ ...g, users: [...g.users] }));
  readonly channels = new Map<string, SandboxChannel>();
  /** Per channel, every message including thread replies, in ts order. */
  readonly messages = new Map<string, SandboxMessage[]>();
  ephemerals: SandboxEphemeral[] = [];
  readonly views = new Map<string, SandboxView>();
  /** Per user, the modal stack (view ids, bottom first). */
  readonly viewStacks = new Map<string, string[]>();
  readonly files = new Map<string, SandboxFile>();
  readonly fileContents = new Map<string, Buffer>();
  private lastTs = '0.000000';
  private readonly listeners = new Set<(change: StateChange) => void>();
  private saveTimer: NodeJS.Timeout | undefined;
  private readonly file: string | undefined;
  private readonly saveDelayMs: number;
  private lastSaveMs = 0;
  /** Where uploaded files' bytes are kept, one file per id (beside the state file); unset when memory only. */
  private readonly filesDir: string | undefined;
  /** Ids whose bytes are in filesDir already: a file's bytes never change, so each is written once. */
  private readonly savedFiles = new Set<string>();

  constructor(opts: WorkspaceStateOptions = {}) {
    this.file = opts.file;
    this.filesDir = opts.file ? path.join(path.dirname(opts.file), FILES_DIR) : undefined;
    this.saveDelayMs = opts.saveDelayMs ?? 250;
    if (this.file && existsSync(this.file)) {
      try {
        const data = JSON.parse(readFileSync(this.file, 'utf8')) as PersistedState;
        if (data.version !== 1) throw new Error(`unknown version ${String(data.version)}`);
        this.load(data);
      } catch (err) {
        // An unreadable file must not stop the start: keep it aside for a look and begin a fresh workspace.
        this.loadProblem = err instanceof Error ? err.message : String(err);
        renameSync(this.file, `${this.file}.unreadable-${Date.now()}`);
        this.seed();
      }
    } else this.seed();
  }

  /** Set when the saved file could not be read and a fresh workspace was started instead. */
  loadProblem: string | undefined;

  /** Uploaded files whose bytes could not be read back at the start (their URLs answer 404), with why. */
  readonly fileProblems: string[] = [];

  /** Adds the team channels that do not exist yet. */
  private seed(): void {
    const created = Math.floor(Date.now() / 1000);
    const everyone = [SANDBOX_BOT.userId, ...ROSTER.map((u) => u.id)];
    for (const c of SANDBOX_CHANNELS) {
      if (this.channels.has(c.id)) continue;
      this.channels.set(c.id, {
        id: c.id,
        name: c.name,
        is_channel: true,
        is_im: false,
        is_private: false,
        is_archived: false,
        created,
        creator: ROSTER[0]!.id,
        topic: { value: c.topic, creator: ROSTER[0]!.id, last_set: created },
        purpose: { value: '', creator: '', last_set: 0 },
        members: [...everyone],
      });
      this.messages.set(c.id, []);
    }
  }

  private load(p: PersistedState): void {
    for (const c of p.channels) this.channels.set(c.id, c);
    for (const [id, list] of Object.entries(p.messages)) this.messages.set(id, list);
    this.ephemerals = p.ephemerals;
    for (const v of p.views) this.views.set(v.id, v);
    for (const [u, stack] of Object.entries(p.viewStacks)) this.viewStacks.set(u, stack);
    for (const f of p.files) this.files.set(f.id, f);
    for (const [id, b64] of Object.entries(p.fileContents ?? {})) this.fileContents.set(id, Buffer.from(b64, 'base64'));
    for (const f of p.files) {
      const stored = this.filesDir && FILE_ID.test(f.id) ? path.join(this.filesDir, f.id) : undefined;
      if (this.fileContents.has(f.id) || !stored || !existsSync(stored)) continue;
      // A file whose bytes cannot be read, or are not as many as were uploaded, is left without them (its URL
      // answers 404, as for bytes never uploaded) and named in fileProblems; the rest of the workspace loads.
      let bytes: Buffer;
      try {
        bytes = readFileSync(stored);
      } catch (err) {
        this.fileProblems.push(`${f.id}: ${err instanceof Error ? err.message : String(err)}`);
        continue;
      }
      if (bytes.length !== f.size) {
        this.fileProblems.push(`${f.id}: ${bytes.length} bytes stored, ${f.size} uploaded`);
        continue;
      }
      this.fileContents.set(f.id, bytes);
      this.savedFiles.add(f.id);
    }
    this.lastTs = p.lastTs;
    this.seed();
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  onChange(listener: (change: StateChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Records a change: tells listeners and schedules a save. */
  changed(change: StateChange): void {
    for (const l of this.listeners) {
      try {
        l(change);
      } catch {
        // A broken listener (a closed browser stream) must not break the Web API call that caused the change.
      }
    }
    this.scheduleSave();
  }

  /** A message timestamp: unique and increasing within the workspace, like Slack's. */
  nextTs(): string {
    const nowMicros = BigInt(Date.now()) * 1000n;
    const [s, us] = this.lastTs.split('.');
    const lastMicros = BigInt(s!) * 1_000_000n + BigInt(us!);
    const micros = nowMicros > lastMicros ? nowMicros : lastMicros + 1n;
    const ts = `${micros / 1_000_000n}.${String(micros % 1_000_000n).padStart(6, '0')}`;
    this.lastTs = ts;
    return ts;
  }

  user(id: string): RosterUser | undefined {
    return this.users.find((u) => u.id === id);
  }

  isKnownUser(id: string): boolean {
    return id === SANDBOX_BOT.userId || this.user(id) !== undefined;
  }

  /** Resolves a channel id, a channel name (with or without #) or a user id (the bot's DM with them). */
  resolveChannel(ref: string): SandboxChannel | undefined {
    const direct = this.channels.get(ref);
    if (direct) return direct;
    if (/^[UW][A-Z0-9]+$/.test(ref) && this.user(ref)) return this.openDm(ref);
    const name = ref.replace(/^#/, '');
    for (const c of this.channels.values()) if (!c.is_im && c.name === name) return c;
    return undefined;
  }

  channelByName(name: string): SandboxChannel | undefined {
    for (const c of this.channels.values()) if (!c.is_im && c.name === name) return c;
    return undefined;
  }

  createChannel(name: string, creator: string, isPrivate = false): SandboxChannel {
    const created = Math.floor(Date.now() / 1000);
    const channel: SandboxChannel = {
      id: newSlackId(isPrivate ? 'G' : 'C'),
      name,
      is_channel: !isPrivate,
      is_im: false,
      is_private: isPrivate,
      is_archived: false,
      created,
      creator,
      topic: { value: '', creator: '', last_set: 0 },
      purpose: { value: '', creator: '', last_set: 0 },
      members: [creator],
    };
    this.channels.set(channel.id, channel);
    this.messages.set(channel.id, []);
    this.changed({ kind: 'channel', channel: channel.id });
    return channel;
  }

  /** The bot's DM with a user, created on first use. */
  openDm(userId: string): SandboxChannel {
    for (const c of this.channels.values()) if (c.is_im && c.user === userId) return c;
    const created = Math.floor(Date.now() / 1000);
    const channel: SandboxChannel = {
      id: newSlackId('D'),
      name: userId,
      is_channel: false,
      is_im: true,
      is_private: true,
      is_archived: false,
      created,
      creator: SANDBOX_BOT.userId,
      topic: { value: '', creator: '', last_set: 0 },
      purpose: { value: '', creator: '', last_set: 0 },
      user: userId,
      members: [SANDBOX_BOT.userId, userId],
    };
    this.channels.set(channel.id, channel);
    this.messages.set(channel.id, []);
    this.changed({ kind: 'channel', channel: channel.id });
    return channel;
  }

  /** Every message of a channel, thread replies included, oldest first. */
  channelMessages(channel: string): SandboxMessage[] {
    return this.messages.get(channel) ?? [];
  }

  message(channel: string, ts: string): SandboxMessage | undefined {
    return this.channelMessages(channel).find((m) => m.ts === ts);
  }

  /** Top-level messages (and broadcast replies), oldest first. */
  topLevel(channel: string): SandboxMessage[] {
    return this.channelMessages(channel).filter((m) => !m.thread_ts || m.thread_ts === m.ts || m.reply_broadcast);
  }

  /** A thread: its parent, then the replies oldest first. */
  thread(channel: string, ts: string): SandboxMessage[] {
    const parent = this.message(channel, ts);
    if (!parent) return [];
    const replies = this.channelMessages(channel).filter((m) => m.thread_ts === ts && m.ts !== ts);
    return [parent, ...replies];
  }

  /** Appends a message (a thread reply when thread_ts is set) and keeps the parent's reply counters. */
  addMessage(msg: Omit<SandboxMessage, 'type' | 'ts'> & { ts?: string }): SandboxMessage {
    const full: SandboxMessage = { type: 'message', ...msg, ts: msg.ts ?? this.nextTs() };
    const list = this.messages.get(full.channel) ?? [];
    list.push(full);
    this.messages.set(full.channel, list);
    if (full.thread_ts && full.thread_ts !== full.ts) {
      const parent = this.message(full.channel, full.thread_ts);
      if (parent) {
        parent.thread_ts = parent.ts;
        parent.reply_count = (parent.reply_count ?? 0) + 1;
        parent.latest_reply = full.ts;
        const author = full.user ?? SANDBOX_BOT.userId;
        parent.reply_users = [...new Set([...(parent.reply_users ?? []), author])];
      }
    }
    this.changed({ kind: 'message', channel: full.channel });
    return full;
  }

  updateMessage(
    channel: string,
    ts: string,
    patch: Partial<Pick<SandboxMessage, 'text' | 'blocks' | 'metadata'>>,
    editor: string,
  ): SandboxMessage | undefined {
    const msg = this.message(channel, ts);
    if (!msg) return undefined;
    if (patch.text !== undefined) msg.text = patch.text;
    if (patch.blocks !== undefined) msg.blocks = patch.blocks;
    // As Slack: an edit without metadata leaves the message's metadata as it is.
    if (patch.metadata !== undefined) msg.metadata = patch.metadata;
    msg.edited = { user: editor, ts: this.nextTs() };
    this.changed({ kind: 'message', channel });
    return msg;
  }

  deleteMessage(channel: string, ts: string): boolean {
    const list = this.messages.get(channel);
    const i = list?.findIndex((m) => m.ts === ts) ?? -1;
    if (!list || i < 0) return false;
    list.splice(i, 1);
    this.changed({ kind: 'message', channel });
    return true;
  }

  addEphemeral(e: Omit<SandboxEphemeral, 'ts'>): SandboxEphemeral {
    const full: SandboxEphemeral = { ...e, ts: this.nextTs() };
    this.ephemerals.push(full);
    // Keeps memory bounded: a person never needs more than the recent ephemerals on screen.
    if (this.ephemerals.length > 500) this.ephemerals.splice(0, this.ephemerals.length - 500);
    this.changed({ kind: 'ephemeral', channel: e.channel, user: e.user });
    return full;
  }

  /** The top modal of a user's stack. */
  topView(user: string): SandboxView | undefined {
    const stack = this.viewStacks.get(user) ?? [];
    const id = stack[stack.length - 1];
    return id ? this.views.get(id) : undefined;
  }

  pushView(view: SandboxView, replaceStack: boolean): void {
    this.views.set(view.id, view);
    const stack = replaceStack ? [] : (this.viewStacks.get(view.user) ?? []);
    if (replaceStack) for (const id of this.viewStacks.get(view.user) ?? []) this.views.delete(id);
    stack.push(view.id);
    this.viewStacks.set(view.user, stack);
    this.changed({ kind: 'view', user: view.user });
  }

  /** Closes the top modal (or all of them). */
  closeView(user: string, all = false): void {
    const stack = this.viewStacks.get(user) ?? [];
    const closing = all ? stack.splice(0) : stack.splice(-1);
    for (const id of closing) this.views.delete(id);
    this.changed({ kind: 'view', user });
  }

  /** Stops pending saves and writes now. */
  flush(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    this.save();
  }

  private scheduleSave(): void {
    if (!this.file || this.saveTimer) return;
    this.saveTimer = setTimeout(
      () => {
        this.saveTimer = undefined;
        this.save();
      },
      Math.max(this.saveDelayMs, SAVE_COST_FACTOR * this.lastSaveMs),
    );
    this.saveTimer.unref();
  }

  private save(): void {
    if (!this.file) return;
    const started = performance.now();
    mkdirSync(path.dirname(this.file), { recursive: true });
    // Uploaded bytes first, each once, so the state file never names a file whose bytes were not written.
    for (const [id, bytes] of this.fileContents) {
      if (this.savedFiles.has(id) || !this.filesDir || !FILE_ID.test(id)) continue;
      mkdirSync(this.filesDir, { recursive: true });
      // Write then rename, as the state file: a crash mid-write leaves no short file under the id.
      const stored = path.join(this.filesDir, id);
      writeFileSync(`${stored}.${process.pid}.tmp`, bytes);
      renameSync(`${stored}.${process.pid}.tmp`, stored);
      this.savedFiles.add(id);
    }
    // Write then rename, so a crash mid-write never leaves a half file that stops the next start.
    const tmp = `${this.file}.${process.pid}.tmp`;
    // The PersistedState document, member by member (JsonFileWriter: never the whole workspace as one string).
    const out = new JsonFileWriter(tmp);
    try {
      out.raw('{"version":1,"channels":');
      out.array(this.channels.values());
      out.raw(',"messages":');
      out.object(this.messages, (list) => out.array(list));
      out.raw(',"ephemerals":');
      out.array(this.ephemerals);
      out.raw(',"views":');
      out.array(this.views.values());
      out.raw(',"viewStacks":');
      out.value(Object.fromEntries(this.viewStacks));
      out.raw(',"files":');
      out.array(this.files.values());
      out.raw(`,"lastTs":${JSON.stringify(this.lastTs)}}`);
    } finally {
      out.close();
    }
    renameSync(tmp, this.file);
    this.lastSaveMs = performance.now() - started;
  }
}
