// Alert names from a Prometheus rule file (`groups[].rules[].alert`), for `runbooks lint --rules FILE`.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { ValidationError } from '../errors.js';

const ruleFileSchema = z.object({
  groups: z.array(
    z.object({
      name: z.string(),
      rules: z.array(z.looseObject({ alert: z.string().optional(), record: z.string().optional() })).default([]),
    }),
  ),
});

/** The alerting rules' names of a Prometheus rule file; a file that is not one says what is wrong. */
export async function readAlertRules(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ValidationError(`--rules ${file}: cannot read it`, [(err as Error).message]);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new ValidationError(`--rules ${file}: not YAML`, [(err as Error).message.split('\n')[0]!]);
  }
  const parsed = ruleFileSchema.safeParse(doc);
  if (!parsed.success)
    throw new ValidationError(
      `--rules ${file}: not a Prometheus rule file`,
      parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`),
    );
  return parsed.data.groups.flatMap((g) => g.rules.flatMap((r) => (r.alert ? [r.alert] : [])));
}
