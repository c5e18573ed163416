// Pure naming rules: incident titles and Slack-safe channel names.

/** "HighErrorRate" → "high error rate"; "disk_full" → "disk full". */
export function humanize(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/[_\-.]+/g, ' ')
    .trim()
    .toLowerCase();
}

/** The incident title: the alert's summary when it has one, else "<service>: <alertname>". Kept to one line. */
export function incidentTitle(alert: {
  alertname: string;
  service?: string;
  annotations: Record<string, string>;
}): string {
  const summary = alert.annotations.summary?.replace(/\s+/g, ' ').trim();
  const base = summary || `${alert.service ? `${alert.service}: ` : ''}${humanize(alert.alertname)}`;
  return base.length > 200 ? `${base.slice(0, 199)}…` : base;
}

/**
 * Channel name: `inc-42-checkout-high-error-rate`. Slack allows lowercase letters, digits, `-` and `_`, at most 80
 * characters; the incident number always survives truncation.
 */
export function channelName(publicId: string, service: string | null | undefined, alertname: string): string {
  const slug = (s: string) =>
    humanize(s)
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '');
  const head = slug(publicId);
  const parts = [service ? slug(service) : '', slug(alertname)].filter(Boolean);
  // Drop the service when the alert name already starts with it (CheckoutDown on checkout).
  if (parts.length === 2 && parts[1]!.startsWith(`${parts[0]}-`)) parts.shift();
  const name = [head, ...parts].join('-').replace(/-+/g, '-');
  return name.length <= 80 ? name : name.slice(0, 80).replace(/-+$/, '');
}
