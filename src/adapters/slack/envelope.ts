// Checks the shape of a verified Slack request (interactive payload, slash command or Events API) before Bolt sees it.
import { z } from 'zod';

const user = z.object({ id: z.string().min(1) });
const view = z.object({ id: z.string().min(1), callback_id: z.string(), private_metadata: z.string().optional() });

const interactive = {
  block_actions: z.object({ user, actions: z.array(z.object({ action_id: z.string().min(1) })).min(1) }),
  view_submission: z.object({
    user,
    view: view.extend({ state: z.object({ values: z.record(z.string(), z.unknown()) }) }),
  }),
  view_closed: z.object({ user, view }),
  shortcut: z.object({ user, callback_id: z.string().min(1), trigger_id: z.string().min(1) }),
} as const;

const slashCommand = z.object({
  command: z.string().regex(/^\//, 'must start with /'),
  text: z.string(),
  user_id: z.string().min(1),
  channel_id: z.string().min(1),
});

const events = {
  url_verification: z.object({ challenge: z.string().min(1) }),
  event_callback: z.object({
    event_id: z.string().min(1).optional(),
    // A mention is answered in its channel's thread: without a channel and a ts there is nothing to answer.
    event: z.looseObject({ type: z.string().min(1) }).superRefine((e, issues) => {
      if (e.type !== 'app_mention') return;
      for (const key of ['channel', 'ts'])
        if (typeof e[key] !== 'string' || !e[key])
          issues.addIssue({ code: 'custom', path: [key], message: 'must be a non-empty string' });
    }),
  }),
} as const;

const kindOf = z.object({ type: z.string() });

/** "actions must be an array", "user.id is missing": the first problem zod found, for a person to read. */
function describe(prefix: string, error: z.ZodError): string {
  const issue = error.issues[0]!;
  const where = issue.path.length ? issue.path.map(String).join('.') : 'body';
  let what = issue.message;
  if (issue.code === 'invalid_type') {
    const expected = String(issue.expected);
    what = /received undefined/i.test(issue.message)
      ? 'is missing'
      : `must be ${/^[aeiou]/.test(expected) ? 'an' : 'a'} ${expected}`;
  } else if (!/^must /.test(what)) {
    what = `is invalid (${what})`;
  }
  return `${prefix}: ${where} ${what}`;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function checkTyped(label: string, value: unknown, schemas: Record<string, z.ZodType>): string | null {
  const kind = kindOf.safeParse(value);
  if (!kind.success) return `${label} has no type`;
  const schema = schemas[kind.data.type];
  if (!schema)
    return `${label} type "${kind.data.type.slice(0, 40)}" is not one the copilot handles (${Object.keys(schemas).join(', ')})`;
  const parsed = schema.safeParse(value);
  return parsed.success ? null : describe(`${kind.data.type} ${label}`, parsed.error);
}

/** Null when the body is a request the app handles; otherwise what is wrong with it, in one short sentence. */
export function checkSlackEnvelope(raw: Buffer, contentType: string | undefined): string | null {
  const text = raw.toString('utf8');
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') {
    const body = parseJson(text);
    if (!body.ok) return 'body is not JSON';
    return checkTyped('event body', body.value, events);
  }
  if (type === 'application/x-www-form-urlencoded') {
    const form = new URLSearchParams(text);
    // Slack's periodic check of a slash command's certificate; Bolt answers it.
    if (form.has('ssl_check')) return null;
    const payload = form.get('payload');
    if (payload !== null) {
      const body = parseJson(payload);
      if (!body.ok) return 'payload is not JSON';
      return checkTyped('payload', body.value, interactive);
    }
    if (form.has('command')) {
      const parsed = slashCommand.safeParse(Object.fromEntries(form));
      return parsed.success ? null : describe('slash command', parsed.error);
    }
    return 'body has no payload, slash command or event';
  }
  return `content type "${type.slice(0, 60)}" is not one Slack sends (application/json or application/x-www-form-urlencoded)`;
}
