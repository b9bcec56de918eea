// Every page gets a Content-Security-Policy with a fresh nonce; every page but
// sign-in and the set-password links needs a session, and signed-out visitors
// go to /signin.
import { getToken } from 'next-auth/jwt';
import { withAuth, type NextRequestWithAuth } from 'next-auth/middleware';
import { NextResponse, type NextFetchEvent } from 'next/server';

const SIGN_IN = '/signin';
/**
 * No session needed: the sign-in page, the set-password links (app/invite), the
 * email decision links (app/decide, which change nothing until their form is sent),
 * next-auth's own routes, the REST API (/api/v1 authenticates by key, and
 * answers a missing one with a JSON 401, never a redirect to sign-in), and the
 * probes and metrics (/api/health, /api/ready; /api/metrics checks its own token).
 */
const PUBLIC = /^\/(signin|invite|decide|api\/auth|api\/v1|api\/health|api\/ready|api\/metrics)(\/|$)/;

/**
 * Scripts run only with this response's nonce (and what those load:
 * 'strict-dynamic'), so an injected script does not run. Styles may be inline
 * (React style attributes; Next's own 404 and error pages carry them, without
 * the nonce), and with images, fonts and fetches held to 'self' an injected
 * style cannot carry anything away. No page may be framed (an approve button
 * under someone else's page is a clickjack); X-Frame-Options in
 * next.config.js says the same to old browsers.
 */
export function contentSecurityPolicy(nonce: string, development: boolean): string {
  return [
    "default-src 'self'",
    // React's development build evaluates code for its error overlays and stacks.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * A signed-out server-action call (the page's own fetch, Next-Action header).
 * withAuth's redirect would be followed by that fetch to /signin, whose answer
 * is no action result, and the page would crash ("This page couldn't load").
 * So: a 401 (what a script sees), carrying the header Next's client router
 * reads as an action's redirect (x-action-redirect, as `redirect()` in an
 * action sends it), so a browser goes to sign-in and comes back here after.
 */
function signedOutAction(request: NextRequestWithAuth): NextResponse {
  const { pathname, search } = request.nextUrl;
  const signIn = `${SIGN_IN}?${new URLSearchParams({ callbackUrl: `${pathname}${search}` })}`;
  return new NextResponse('Your session has ended. Sign in again.', {
    status: 401,
    headers: { 'content-type': 'text/plain', 'x-action-redirect': `${signIn};replace`, 'cache-control': 'no-store' },
  });
}

/**
 * A browser's server-action call. Not Next's own internal re-post of an action
 * sent to a page that lacks it (x-action-forwarded): Next drops that answer
 * and, unless it is withAuth's bodiless redirect, logs an uncaught "aborted" error.
 */
function isActionCall(request: NextRequestWithAuth): boolean {
  return request.method === 'POST' && request.headers.has('next-action') && !request.headers.has('x-action-forwarded');
}

async function route(request: NextRequestWithAuth, event: NextFetchEvent, policy: string): Promise<Response> {
  // Next.js reads the nonce from the request's policy while it renders, and puts it on its own scripts.
  const render = () => {
    const headers = new Headers(request.headers);
    headers.set('content-security-policy', policy);
    return NextResponse.next({ request: { headers } });
  };
  if (PUBLIC.test(request.nextUrl.pathname)) return render();
  if (isActionCall(request) && !(await getToken({ req: request }))) return signedOutAction(request);
  return (await withAuth(render, { pages: { signIn: SIGN_IN } })(request, event)) ?? render();
}

export default async function proxy(request: NextRequestWithAuth, event: NextFetchEvent) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
  const policy = contentSecurityPolicy(nonce, process.env.NODE_ENV === 'development');
  const response = await route(request, event, policy);
  response.headers.set('content-security-policy', policy);
  return response;
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
