// Every page but sign-in needs a session; signed-out visitors go to /signin.
import { withAuth } from 'next-auth/middleware';

export default withAuth({ pages: { signIn: '/signin' } });

export const config = {
  matcher: ['/((?!api/auth|signin|_next/static|_next/image|favicon.ico).*)'],
};
