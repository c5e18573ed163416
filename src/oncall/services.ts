// The on-call services built once per app: PagerDuty when src/app.ts built its client, and the on-call lookup.
import type { AppContext } from '../context.js';
import { configOnCall, type OnCallLookup } from './directory.js';
import { listOverrides } from './overrides.js';
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
  const { file } = ctx.config;
  const { pagerduty } = ctx.services;
  const fromConfig = configOnCall(file, (schedule) => listOverrides(ctx.knex, schedule));
  const oncall: OnCallLookup = {
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
  const services: OncallServices = pagerduty ? { pagerduty, oncall } : { oncall };
  built.set(ctx, services);
  return services;
}
