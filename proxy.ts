// Every page but sign-in needs a session; signed-out visitors go to /signin.
import { getToken } from 'next-auth/jwt';
import { withAuth, type NextRequestWithAuth } from 'next-auth/middleware';
import { NextResponse, type NextFetchEvent } from 'next/server';

const SIGN_IN = '/signin';

const requireSession = withAuth({ pages: { signIn: SIGN_IN } });

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

export default async function proxy(request: NextRequestWithAuth, event: NextFetchEvent) {
  if (isActionCall(request) && !(await getToken({ req: request }))) return signedOutAction(request);
  return requireSession(request, event);
}

export const config = {
  matcher: ['/((?!api/auth|signin|_next/static|_next/image|favicon.ico).*)'],
};
