// Fills `{{name}}` placeholders of a configured PromQL or LogQL selector, quoting values for double-quoted label strings.

/**
 * Replaces each `{{name}}` with its value, escaped for a double-quoted label value. A placeholder with no value turns
 * its matcher into "any non-empty value" (`label="{{upstream}}"` becomes `label=~".+"`), so a role written for one
 * upstream reads all of them when none is named.
 */
export function fillTemplate(template: string, vars: Record<string, string | undefined>): string {
  const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  return template
    .replace(/([a-zA-Z_]\w*)\s*=\s*"\{\{\s*(\w+)\s*\}\}"/g, (m, label: string, name: string) =>
      vars[name] === undefined ? `${label}=~".+"` : `${label}="${escape(vars[name]!)}"`,
    )
    .replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, name: string) => (vars[name] === undefined ? '.+' : escape(vars[name]!)));
}
