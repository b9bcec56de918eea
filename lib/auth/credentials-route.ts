// The password sign-in (a POST to next-auth's /api/auth/callback/credentials),
// guarded before next-auth sees it: next-auth's authorize() can only say yes
// or no, never 429. With PASSWORD_SIGN_IN=off it is refused outright (403). An
// over-long password is refused unhashed, a blocked account or address gets
// 429 with Retry-After, and the outcome is counted.
import 'server-only';
import type { NextRequest } from 'next/server';
import { authEnv } from '../env';
import { clientAddress } from './client-address';
import { getSignInLimiter } from './sign-in-limit';
import { tooManyAttempts } from './sign-in-rules';
import { credentialsSchema } from './users';

interface Context {
  params: Promise<{ nextauth: string[] }>;
}
type Handler = (request: NextRequest, context: Context) => Promise<Response>;

interface SignInFields {
  email: string;
  password: string;
  /** next-auth's signIn() posts json=true and reads a JSON answer; a plain form post follows redirects. */
  json: boolean;
}

async function readFields(request: NextRequest): Promise<SignInFields> {
  const text = await request.clone().text();
  let fields: Record<string, unknown> = {};
  if (request.headers.get('content-type')?.includes('application/json')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object') fields = parsed as Record<string, unknown>;
    } catch {
      // next-auth answers a malformed body itself
    }
  } else {
    fields = Object.fromEntries(new URLSearchParams(text));
  }
  const field = (name: string) => (typeof fields[name] === 'string' ? fields[name] : '');
  return { email: field('email'), password: field('password'), json: String(fields.json) === 'true' };
}

/**
 * A refusal in the shape the caller reads. signIn() takes `error` from the
 * query of the `url` it is sent, and returns it with the status: the sign-in
 * form shows it as is.
 */
function refuse(
  request: NextRequest,
  fields: SignInFields,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  const common = { 'cache-control': 'no-store', ...headers };
  if (!fields.json) return new Response(message, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...common } });
  const url = new URL('/signin', request.nextUrl.origin);
  url.searchParams.set('error', message);
  return Response.json({ url: url.toString() }, { status, headers: common });
}

export const passwordSignInOff = (provider = 'your company account') =>
  `Sign-in with a password is turned off here. Sign in with ${provider} instead.`;

/** next-auth sets the session cookie (`__Secure-` over https, chunked when long) only on success. */
function startedSession(response: Response): boolean {
  return response.headers.getSetCookie().some((cookie) => /^(__Secure-)?next-auth\.session-token(\.\d+)?=[^;]/.test(cookie));
}

export function guardCredentialsSignIn(handler: Handler): Handler {
  return async (request, context) => {
    const [action, provider] = (await context.params).nextauth ?? [];
    if (request.method !== 'POST' || action !== 'callback' || provider !== 'credentials') return handler(request, context);

    const fields = await readFields(request);
    const { passwordSignIn, oidc } = authEnv();
    // next-auth would refuse it too (no such provider then), but not in words.
    if (!passwordSignIn) return refuse(request, fields, 403, passwordSignInOff(oidc?.name));
    const password = credentialsSchema.shape.password.safeParse(fields.password);
    const tooLong = password.error?.issues.find((issue) => issue.code === 'too_big');
    if (tooLong) return refuse(request, fields, 400, `${tooLong.message.charAt(0).toUpperCase()}${tooLong.message.slice(1)}.`);

    const address = clientAddress(request.headers.get('x-forwarded-for'), authEnv().TRUSTED_PROXIES);
    const attempt = await getSignInLimiter().attempt({ email: fields.email, address });
    if (!attempt.allowed) {
      return refuse(request, fields, 429, tooManyAttempts(attempt.retryAfterSeconds), { 'retry-after': String(attempt.retryAfterSeconds) });
    }
    const response = await handler(request, context);
    if (startedSession(response)) await attempt.succeeded();
    return response;
  };
}
