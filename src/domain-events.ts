// Domain events: the core announces what happened (incident.opened, incident.acknowledged, ...); presenters listen.
import { EventEmitter } from 'node:events';
import type { Incident } from './incidents/repository.js';

/** The events the core emits, by name, with their payloads. Capabilities add their own names here. */
export interface DomainEventMap {
  /** `opened`: the incident as the statement that opened it returned it, when the opener has it (nothing shown yet). */
  /** `alertname`: the name of its earliest alert (what names the channel), when the opener knows it. */
  'incident.opened': { incidentId: number; opened?: Incident; alertname?: string };
  'incident.updated': { incidentId: number; reason: string };
  'incident.acknowledged': { incidentId: number; by: string };
  /** Back to triggered after an acknowledgement (PagerDuty's incident.unacknowledged): paging starts again. */
  'incident.unacknowledged': { incidentId: number; by: string };
  /** An alert fired again in an unacknowledged incident whose paging had stopped because every alert resolved. */
  'incident.firing_again': { incidentId: number };
  'incident.mitigated': { incidentId: number };
  'incident.resolved': { incidentId: number; by: string };
  /** A firing alert reopened the group's recently resolved incident; `reopenCount` is 1 for the first reopen. */
  'incident.reopened': { incidentId: number; reopenCount: number };
  /** Someone asked to escalate now (the Escalate button); the on-call capability pages the next step. */
  'incident.escalation_requested': { incidentId: number; by: string };
  /**
   * `incident` is the incident as the result's write left it, `completedEventId` its `investigation.completed` entry
   * and `novel` whether the result was novel (listeners need not read them again).
   */
  'investigation.completed': { incidentId: number; incident?: Incident; completedEventId?: number; novel?: boolean };
  'remediation.started': { incidentId: number; actionRunId: number };
  'remediation.verified': { incidentId: number; actionRunId: number; recovered: boolean };
  'remediation.proposed': { incidentId: number; actionRunIds: number[] };
  'remediation.approved': { incidentId: number; actionRunId: number; by: string };
  'remediation.rejected': { incidentId: number; actionRunId: number; by: string };
  'remediation.finished': { incidentId: number; actionRunId: number; ok: boolean };
}

export type DomainEventName = keyof DomainEventMap;

/**
 * An in-process event bus. Listeners run after the emitting transaction has committed (emit after commit), and a
 * failing listener is logged, never thrown back into the core. Durable work belongs in jobs, not listeners.
 */
export class DomainEvents {
  private readonly emitter = new EventEmitter();
  /** Listeners' promises still running: a shutdown waits for them before it closes the pools they use. */
  private readonly inFlight = new Set<Promise<void>>();
  constructor(private readonly onError: (err: unknown, event: string) => void = () => {}) {
    this.emitter.setMaxListeners(100);
  }

  on<K extends DomainEventName>(name: K, listener: (payload: DomainEventMap[K]) => void | Promise<void>): void {
    this.emitter.on(name, (payload: DomainEventMap[K]) => {
      try {
        const r = listener(payload);
        if (r && typeof (r as Promise<void>).catch === 'function') {
          const p: Promise<void> = (r as Promise<void>)
            .catch((err) => this.onError(err, name))
            .finally(() => this.inFlight.delete(p));
          this.inFlight.add(p);
        }
      } catch (err) {
        this.onError(err, name);
      }
    });
  }

  /**
   * Waits until no listener is running (one that starts while waiting is waited for too), at most `timeoutMs`.
   * Answers whether every listener finished.
   */
  async idle(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight.size) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, left)));
      await Promise.race([Promise.allSettled([...this.inFlight]), late]);
      clearTimeout(timer);
    }
    return true;
  }

  /** How many listeners are running now. */
  get running(): number {
    return this.inFlight.size;
  }

  emit<K extends DomainEventName>(name: K, payload: DomainEventMap[K]): void {
    this.emitter.emit(name, payload);
  }
}
