// The on-call services built once per app from its settings: PagerDuty when configured, and the on-call lookup.
import type { AppContext } from '../context.js';
import { configOnCall, type OnCallLookup } from './directory.js';
import { listOverrides } from './overrides.js';
import { createPagerDutyClient, type PagerDutyClient } from './pagerduty.js';

export interface OncallServices {
  pagerduty?: PagerDutyClient;
  oncall: OnCallLookup;
}

const built = new WeakMap<AppContext, OncallServices>();

/** On-call answers: PagerDuty's for schedules that name a pagerdutyId when PAGERDUTY_TOKEN is set, else the config's. */
export function oncallServices(ctx: AppContext): OncallServices {
  const existing = built.get(ctx);
  if (existing) return existing;
  const { env, file } = ctx.config;
  // PagerDuty wants a user's email in `From` on writes: the first configured user known to PagerDuty with an email.
  const fromEmail = file.users.find((u) => u.pagerdutyId && u.email)?.email;
  const pagerduty = env.PAGERDUTY_TOKEN
    ? createPagerDutyClient({ token: env.PAGERDUTY_TOKEN, ...(env.PAGERDUTY_API_URL ? { apiUrl: env.PAGERDUTY_API_URL } : {}), ...(fromEmail ? { fromEmail } : {}) })
    : undefined;
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
