// A signed-in browser, without the browser: next-auth's credentials sign-in
// for a session cookie, and a server action replayed as React's client sends it.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const ROOT = path.resolve(__dirname, '..', '..');

/** Signs in with next-auth's credentials provider, as the sign-in form does; returns the Cookie header. */
export async function signIn(base: string, email: string, password: string): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq > 0) jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const csrf = await fetch(`${base}/api/auth/csrf`);
  keep(csrf);
  const { csrfToken } = z.object({ csrfToken: z.string() }).parse(await csrf.json());
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie() },
    body: new URLSearchParams({ csrfToken, email, password, callbackUrl: `${base}/inbox`, json: 'true' }),
  });
  keep(res);
  await res.arrayBuffer();
  if (![...jar.keys()].some((k) => k.endsWith('next-auth.session-token')))
    throw new Error(`sign-in as ${email} failed (HTTP ${res.status})`);
  return cookie();
}

const manifestSchema = z.object({
  node: z.record(z.string(), z.object({ filename: z.string().optional(), exportedName: z.string().optional() })),
});

/** A server action's id in a production build: what the browser sends as the Next-Action header. */
export function serverActionId(distDir: string, filename: string, exportedName: string): string {
  const file = path.join(ROOT, distDir, 'server', 'server-reference-manifest.json');
  const manifest = manifestSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  const found = Object.entries(manifest.node).find(([, entry]) => entry.filename === filename && entry.exportedName === exportedName);
  if (!found) throw new Error(`${exportedName} of ${filename} is not in ${file}`);
  return found[0];
}

/**
 * The body React's client (encodeReply) sends for `action(previousState, formData)`,
 * the call useActionState makes: the form's fields under "_1_", then the
 * arguments as part "0", the form data referenced as "$K1".
 */
export function actionBody(previousState: unknown, fields: Record<string, string>): FormData {
  const body = new FormData();
  for (const [name, value] of Object.entries(fields)) body.append(`_1_${name}`, value);
  body.append('0', JSON.stringify([previousState, '$K1']));
  return body;
}
