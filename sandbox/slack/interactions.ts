// Trigger ids and response URLs: the short-lived handles Slack gives an app with each user interaction.
import { randomBytes } from 'node:crypto';
import { SlackApiError } from './api-error.js';

/** Where a response_url posts: the channel and person of the interaction, and the message it came from. */
export interface ResponseTarget {
  channel: string;
  user: string;
  /** The message the interaction came from (block_actions); absent for slash commands. */
  messageTs?: string;
  /** The interaction came from an ephemeral message. */
  ephemeral?: boolean;
  threadTs?: string;
}

export interface InteractionOptions {
  /** Slack's trigger ids expire after 3 seconds. */
  triggerTtlMs?: number;
  /** Slack's response URLs work 5 times within 30 minutes. */
  responseUrlTtlMs?: number;
  responseUrlUses?: number;
}

/** Issues and checks trigger ids and response URLs. */
export class Interactions {
  private readonly triggers = new Map<string, { user: string; expires: number; used: boolean }>();
  private readonly responses = new Map<string, { target: ResponseTarget; expires: number; uses: number }>();
  private readonly triggerTtlMs: number;
  private readonly responseUrlTtlMs: number;
  private readonly responseUrlUses: number;

  constructor(opts: InteractionOptions = {}) {
    this.triggerTtlMs = opts.triggerTtlMs ?? 3000;
    this.responseUrlTtlMs = opts.responseUrlTtlMs ?? 30 * 60_000;
    this.responseUrlUses = opts.responseUrlUses ?? 5;
  }

  issueTrigger(user: string): string {
    this.prune();
    const id = `${Date.now()}.${Math.floor(Math.random() * 1e12)}.${randomBytes(16).toString('hex')}`;
    this.triggers.set(id, { user, expires: Date.now() + this.triggerTtlMs, used: false });
    return id;
  }

  /** Uses a trigger id once, as views.open and views.push do; throws Slack's error codes otherwise. */
  exchangeTrigger(id: string | undefined): { user: string } {
    const t = id ? this.triggers.get(id) : undefined;
    if (!t) throw new SlackApiError('invalid_trigger_id');
    if (t.used) throw new SlackApiError('exchanged_trigger_id');
    if (Date.now() > t.expires) throw new SlackApiError('expired_trigger_id');
    t.used = true;
    return { user: t.user };
  }

  issueResponseUrl(baseUrl: string, target: ResponseTarget): string {
    const token = randomBytes(18).toString('hex');
    this.responses.set(token, { target, expires: Date.now() + this.responseUrlTtlMs, uses: 0 });
    return `${baseUrl}/response/${token}`;
  }

  /** Uses a response URL once; undefined when unknown, expired or used up. */
  useResponseUrl(token: string): ResponseTarget | undefined {
    const r = this.responses.get(token);
    if (!r || Date.now() > r.expires || r.uses >= this.responseUrlUses) return undefined;
    r.uses += 1;
    return r.target;
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, t] of this.triggers) if (now > t.expires + 60_000) this.triggers.delete(id);
    for (const [id, r] of this.responses) if (now > r.expires) this.responses.delete(id);
  }
}
