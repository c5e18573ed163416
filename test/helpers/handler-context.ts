// Calling Slack handlers without Bolt: a context built from a real config with a recording chat port, and fakes of
// Bolt's ack/respond/client that record what the person would see, in order. Unit tests get a database and queue
// that record any touch and fail the call (the handler must not reach them); integration tests pass PGlite's.
import type { RespondArguments } from '@slack/bolt';
import type { ViewsOpenArguments } from '@slack/web-api';
import { envSchema, parseFileConfig, type AppConfig } from '../../src/config.js';
import type { AppContext, Clock } from '../../src/context.js';
import type { Database } from '../../src/adapters/db/database.js';
import { PostgresJobQueue } from '../../src/adapters/queue/postgres-queue.js';
import { DomainEvents } from '../../src/domain-events.js';
import type { ChatBlock, ChatNotifier, ChatUser, MessageMarker } from '../../src/incidents/chat-notifier.js';
import type { JobQueue } from '../../src/jobs/job-queue.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { requestDigestItem } from '../../src/incidents/digest-repository.js';
import { usePGlite } from './pglite.js';
import { testClock } from './test-clock.js';

/** The people of the handler tests: Priya is on call for checkout, Maria leads payments, Ben is a bystander. */
export const People = { priya: 'U0PRIYA', sam: 'U0SAM', maria: 'U0MARIA', ben: 'U0BEN' } as const;

/** A payments team in Berlin with one rotation (Priya this week) and the default authorization rules. */
export function handlerTestConfig(overrides: Record<string, unknown> = {}): AppConfig {
  const file = parseFileConfig(
    {
      users: [
        { id: 'priya', name: 'Priya', slackId: People.priya },
        { id: 'sam', name: 'Sam', slackId: People.sam },
        { id: 'maria', name: 'Maria', slackId: People.maria },
        { id: 'ben', name: 'Ben', slackId: People.ben },
      ],
      teams: [
        { name: 'payments', alertsChannel: 'C0ALERTS', oncallChannel: 'C0ONCALL', lead: 'maria', schedule: 'payments' },
      ],
      services: [{ name: 'checkout', team: 'payments' }],
      // The rotation began the day before the test clock's TEST_NOW, so Priya is on call (never the wall clock's date).
      schedules: [
        {
          name: 'payments',
          timeZone: 'Europe/Berlin',
          members: ['priya', 'sam'],
          start: '2026-11-23T08:00:00Z',
          length: '7d',
        },
      ],
      ...overrides,
    },
    'handler test config',
  );
  return { env: envSchema.parse({ LOG_LEVEL: 'silent' }), file, fileSource: 'handler test config' };
}

/** What happened during one handler call, in order: acks, answers, chat calls and modals opened. */
export class Recorder {
  readonly log: string[] = [];
  readonly acks: unknown[] = [];
  readonly responses: RespondArguments[] = [];
  readonly opened: ViewsOpenArguments[] = [];
  readonly chat: { method: keyof ChatNotifier; args: unknown[] }[] = [];
  /** Every touch of the database or queue in a unit test (each also threw into the handler). */
  readonly touched: string[] = [];
  /** Set to make respond() fail, as it does when the response_url has expired. */
  respondFails = false;

  readonly ack = async (response?: unknown): Promise<void> => {
    this.log.push('ack');
    this.acks.push(response);
  };

  readonly respond = async (message: string | RespondArguments): Promise<never> => {
    this.log.push('respond');
    if (this.respondFails) throw new Error('response_url expired');
    this.responses.push(typeof message === 'string' ? { text: message } : message);
    // Bolt resolves with the fetch response; no handler reads it.
    return undefined as never;
  };

  readonly client = {
    views: {
      open: async (args: ViewsOpenArguments): Promise<unknown> => {
        this.log.push('views.open');
        this.opened.push(args);
        return { ok: true };
      },
    },
  };

  /** The ephemeral texts the chat port posted, as [channel, user, text]. */
  ephemerals(): [string, string, string][] {
    return this.chat
      .filter((c) => c.method === 'postEphemeral')
      .map((c) => c.args.slice(0, 3) as [string, string, string]);
  }
}

/** A chat port that records every call; posting answers with a fresh ts. */
function recordingChat(rec: Recorder): ChatNotifier {
  let n = 0;
  /** The ts each recorded post was answered with, by its index in rec.chat. */
  const postedTs = new Map<number, string>();
  const record = (method: keyof ChatNotifier, args: unknown[]) => {
    rec.log.push(`chat.${method}`);
    rec.chat.push({ method, args });
  };
  return {
    async createChannel(name) {
      record('createChannel', [name]);
      return { id: `C0NEW${++n}`, name };
    },
    async setTopic(...args) {
      record('setTopic', args);
    },
    async invite(...args) {
      record('invite', args);
    },
    async postMessage(channel, ...rest) {
      record('postMessage', [channel, ...rest]);
      const ts = `1764064900.${String(++n).padStart(6, '0')}`;
      postedTs.set(rec.chat.length - 1, ts);
      return { channel, ts };
    },
    async updateMessage(...args) {
      record('updateMessage', args);
    },
    async findOwnMessage(where, type, since, matches) {
      record('findOwnMessage', [where, type, since]);
      // What this chat posted there with a marker of that type, newest first (each post's ts as it was answered).
      const direct = typeof where !== 'string';
      const posts = rec.chat.flatMap((c, i) =>
        (
          direct
            ? c.method === 'sendDirect' && c.args[0] === where.user
            : c.method === 'postMessage' && c.args[0] === where
        )
          ? [i]
          : [],
      );
      // An edit with a marker replaces the message's (as Slack's chat.update with metadata).
      const markerOf = (i: number) => {
        const ts = postedTs.get(i);
        const edits = rec.chat.filter((c) => c.method === 'updateMessage' && c.args[1] === ts && c.args[4]);
        return (edits.at(-1)?.args[4] ?? rec.chat[i]!.args[direct ? 3 : 4]) as MessageMarker | undefined;
      };
      for (const i of posts.reverse()) {
        const m = markerOf(i);
        if (m?.type === type && matches(m.key))
          return { channel: direct ? `D0${where.user}` : where, ts: postedTs.get(i)!, key: m.key };
      }
      return undefined;
    },
    async postEphemeral(channel: string, user: string, text: string, blocks?: ChatBlock[]) {
      record('postEphemeral', [channel, user, text, blocks]);
    },
    async sendDirect(user, ...rest) {
      record('sendDirect', [user, ...rest]);
      const ts = `1764064900.${String(++n).padStart(6, '0')}`;
      postedTs.set(rec.chat.length - 1, ts);
      return { channel: `D0${user}`, ts };
    },
    async uploadFile(...args) {
      record('uploadFile', args);
    },
    async getUser(userId): Promise<ChatUser | undefined> {
      record('getUser', [userId]);
      return undefined;
    },
    async lookupUserByEmail(email): Promise<ChatUser | undefined> {
      record('lookupUserByEmail', [email]);
      return undefined;
    },
    async listUserGroupMembers(groupId) {
      record('listUserGroupMembers', [groupId]);
      return [];
    },
  };
}

/** A stand-in that records any use and throws, so that a handler which must not reach it fails visibly. */
function untouchable<T>(name: string, rec: Recorder): T {
  const fail = (what: string): never => {
    rec.touched.push(what);
    throw new Error(`${what}: a unit test's handler reached the ${name}`);
  };
  // A callable target, so that knex('table') is caught as well as knex.transaction(...).
  return new Proxy(function untouched() {}, {
    apply: (_target, _this, args: unknown[]) => fail(`${name}(${String(args[0])})`),
    get: (_target, prop) => (prop === 'then' ? undefined : fail(`${name}.${String(prop)}`)),
  }) as unknown as T;
}

/**
 * An application context for calling handlers directly. Without `db` and `queue` (a unit test), both record any touch
 * in `rec.touched` and throw.
 */
export function handlerContext(
  rec: Recorder,
  opts: { config?: AppConfig; db?: Database; queue?: JobQueue; clock?: Clock } = {},
): AppContext {
  const logger = createLogger({ level: 'silent' });
  const db = opts.db ?? untouchable<Database>('database', rec);
  return {
    config: opts.config ?? handlerTestConfig(),
    logger,
    db,
    knex: opts.db ? opts.db.knex : untouchable('database', rec),
    queue: opts.queue ?? untouchable<JobQueue>('queue', rec),
    clock: opts.clock ?? testClock(),
    metrics: createMetrics(),
    events: new DomainEvents((err) => logger.error({ err }, 'listener failed')),
    chat: recordingChat(rec),
    services: { evidence: { graph: { services: async () => [] } } },
  };
}

/** The file's PGlite (see usePGlite) and a Postgres queue over it that is never started, so jobs stay rows. */
export function useHandlerDatabase(): { readonly db: Database; readonly queue: JobQueue } {
  const pg = usePGlite();
  let queue: JobQueue | undefined;
  return {
    get db() {
      return pg.db;
    },
    get queue() {
      return (queue ??= new PostgresJobQueue({ knex: pg.db.knex, logger: createLogger({ level: 'silent' }) }));
    },
  };
}

/** Inserts an open incident of checkout (payments) as the incident loop does, in `channelId`; returns its id and public id. */
export async function insertIncident(
  ctx: AppContext,
  fields: { channelId: string; status?: string; severity?: string },
): Promise<{ id: number; publicId: string }> {
  const now = ctx.clock.now();
  const [row] = (await ctx
    .knex('incidents')
    .insert({
      public_id: `INC-${fields.channelId.replace(/^C0/, '')}`,
      title: 'checkout 5xx ratio above 5%',
      severity: fields.severity ?? 'sev2',
      service: 'checkout',
      team: 'payments',
      status: fields.status ?? 'triggered',
      source: 'alertmanager',
      channel_id: fields.channelId,
      opened_at: now,
      updated_at: now,
    })
    .returning(['id', 'public_id'])) as { id: number; public_id: string }[];
  return { id: row!.id, publicId: row!.public_id };
}

/**
 * An incident (insertIncident, in channel `C0<name>`) and its pointer line asked for in `target`; with
 * `waitingForChannel` the incident has no channel yet, so its line says so.
 */
export async function insertPointer(
  ctx: AppContext,
  target: string,
  name: string,
  opts: { waitingForChannel?: boolean } = {},
): Promise<{ id: number; publicId: string }> {
  const incident = await insertIncident(ctx, { channelId: `C0${name}` });
  if (opts.waitingForChannel) await ctx.knex('incidents').where({ id: incident.id }).update({ channel_id: null });
  const item = await requestDigestItem(ctx.knex, {
    kind: 'pointer',
    target,
    incidentId: incident.id,
    at: ctx.clock.now(),
  });
  return { id: item.id, publicId: incident.publicId };
}
