/**
 * Where to go after signing in: only a path on this site. An absolute or
 * protocol-relative callbackUrl keeps just its path, so it cannot redirect away.
 */
export function safeCallbackPath(value: string | string[] | undefined, fallback = '/inbox'): string {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return fallback;
  try {
    const url = new URL(raw, 'http://countersign.invalid');
    const path = `${url.pathname}${url.search}`;
    return path.startsWith('/') && !path.startsWith('//') && !path.startsWith('/signin') ? path : fallback;
  } catch {
    return fallback;
  }
}
