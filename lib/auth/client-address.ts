/**
 * The address a request came from, for counting sign-in attempts per client.
 * Each trusted reverse proxy appends the address it saw to X-Forwarded-For, and
 * Next.js writes the connecting socket's address there when a request has no
 * such header; so the entry `trustedProxies` from the right end is the one the
 * outermost trusted proxy saw. Entries left of it are whatever the client sent.
 */
export function clientAddress(forwardedFor: string | null, trustedProxies: number): string {
  const entries = (forwardedFor ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return entries[Math.max(0, entries.length - trustedProxies)] ?? 'unknown';
}
