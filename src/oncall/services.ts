// The on-call services built once per app: PagerDuty when src/app.ts built its client, and the on-call lookup.
import type { AppContext } from '../context.js';
import { configOnCall, type OnCallLookup } from './directory.js';
import { listOverrides, type RecordedOverride } from './overrides.js';
import type { PagerDutyClient } from './ports.js';

export interface OncallServices {
  pagerduty?: PagerDutyClient;
  oncall: OnCallLookup;
}

const built = new WeakMap<AppContext, OncallServices>();

/** On-call answers: PagerDuty's for schedules that name a pagerdutyId when PAGERDUTY_TOKEN is set, else the config's. */
export function oncallServices(ctx: AppContext): OncallServices {
  const existing = built.get(ctx);
  if (existing) return existing;
  const { pagerduty } = ctx.services;
  const oncall = lookup(ctx, (schedule) => listOverrides(ctx.knex, schedule));
  const services: OncallServices = pagerduty ? { pagerduty, oncall } : { oncall };
  built.set(ctx, services);
  return services;
}

/**
 * An on-call lookup for one question asked several times at once (the primary and the secondary of a schedule): it
 * reads a schedule's overrides once. Made per use, never kept: a swap recorded later is read by the next one.
 */
export function oncallLookupOnce(ctx: AppContext): OnCallLookup {
  const read = new Map<string, ReturnType<typeof listOverrides>>();
  return lookup(ctx, (schedule) => {
    let overrides = read.get(schedule);
    if (!overrides) read.set(schedule, (overrides = listOverrides(ctx.knex, schedule)));
    return overrides;
  });
}

/**
 * An on-call lookup that answers from overrides already read (with the statement that needed them, e.g. the
 * escalation's start reads its first step's schedules' overrides with its incident); a schedule not in `known` is
 * read as usual.
 */
export function oncallLookupWith(ctx: AppContext, known: ReadonlyMap<string, RecordedOverride[]>): OnCallLookup {
  return lookup(ctx, async (schedule) => known.get(schedule) ?? listOverrides(ctx.knex, schedule));
}

function lookup(ctx: AppContext, overridesOf: Parameters<typeof configOnCall>[1]): OnCallLookup {
  const { file } = ctx.config;
  const { pagerduty } = ctx.services;
  const fromConfig = configOnCall(file, overridesOf);
  return {
    async whoIsOnCall(schedule, which, at) {
      const def = file.schedules.find((s) => s.name === schedule);
      if (pagerduty && def?.pagerdutyId) {
        const pdUsers = await pagerduty.onCallUsers(def.pagerdutyId, at);
        const pdUser = pdUsers[which === 'primary' ? 0 : 1];
        if (!pdUser) return undefined;
        return file.users.find((u) => u.pagerdutyId === pdUser)?.id;
      }
      return fromConfig.whoIsOnCall(schedule, which, at);
    },
  };
}
