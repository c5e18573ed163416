// Splits a service URL's userinfo (http://user:pass@host) into a Basic Authorization header: fetch refuses URLs with credentials.

/** The URL without credentials or trailing slash, and the headers that carry the credentials instead. */
export function splitBaseUrl(url: string): { base: string; headers: Record<string, string> } {
  const u = new URL(url);
  const headers: Record<string, string> = {};
  if (u.username || u.password) {
    const user = decodeURIComponent(u.username);
    const pass = decodeURIComponent(u.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    u.username = '';
    u.password = '';
  }
  return { base: u.toString().replace(/\/+$/, ''), headers };
}
