// Authentication (next-auth: email + password, and company sign-in through
// OpenID Connect when configured) and the one place that says who the caller
// is and what they may do. Pages and actions both use it.
import 'server-only';
import { getServerSession, type NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { cache } from 'react';
import { getDb } from '../db';
import { authEnv } from '../env';
import { hasRole, notAllowed, signedOut, type Role } from './access';
import { companySignIn, companySignInProvider, OIDC_PROVIDER_ID } from './oidc';
import { credentialsSchema, verifyCredentials, type SessionUser } from './users';

/** What reading a session needs (getServerSession ignores providers): no settings beyond NEXTAUTH_SECRET. */
const sessionOptions = {
  session: { strategy: 'jwt', maxAge: 8 * 60 * 60 },
  // next-auth's errors (a failed company sign-in) come back to the sign-in page, which words them.
  pages: { signIn: '/signin', error: '/signin' },
  callbacks: {
    jwt({ token, user }) {
      // Only who signed in: a provider's tokens (next-auth passes them as `account`) never enter the cookie.
      if (user) {
        token.uid = user.id;
        token.role = user.role;
      }
      return token;
    },
    session({ session, token }) {
      if (token.uid && token.role && token.email) {
        session.user = { id: token.uid, email: token.email, name: token.name ?? null, role: token.role };
      }
      return session;
    },
  },
} satisfies Omit<NextAuthOptions, 'providers'>;

const passwordProvider = CredentialsProvider({
  name: 'Email',
  credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
  async authorize(credentials) {
    const parsed = credentialsSchema.safeParse(credentials);
    if (!parsed.success) return null;
    return verifyCredentials(getDb(), parsed.data.email, parsed.data.password);
  },
});

/** The sign-in methods the settings turn on (PASSWORD_SIGN_IN, OIDC_*). */
function buildAuthOptions(): NextAuthOptions {
  const { passwordSignIn, oidc } = authEnv();
  return {
    ...sessionOptions,
    providers: [...(passwordSignIn ? [passwordProvider] : []), ...(oidc ? [companySignInProvider(oidc)] : [])],
    callbacks: {
      ...sessionOptions.callbacks,
      // A password sign-in was decided by authorize(); a company one syncs the directory first.
      signIn: ({ user, account, profile }) => (oidc && account?.provider === OIDC_PROVIDER_ID ? companySignIn(oidc, user, profile) : true),
    },
  };
}

let authOptions: NextAuthOptions | undefined;

/**
 * next-auth's options for its route, built at the first request rather than
 * at import: `next build` imports the route without the server's settings.
 */
export function getAuthOptions(): NextAuthOptions {
  authOptions ??= buildAuthOptions();
  return authOptions;
}

/**
 * The signed-in user, read fresh from the database once per request, so a
 * removed or deactivated user, or a changed role, takes effect at once.
 */
export const getCurrentUser = cache(async (): Promise<SessionUser | null> => {
  const session = await getServerSession(sessionOptions);
  const id = session?.user?.id;
  if (!id) return null;
  return getDb().user.findFirst({ where: { id, active: true }, select: { id: true, email: true, name: true, role: true } });
});

/** For actions and pages: the caller, or an AccessError (UNAUTHENTICATED / FORBIDDEN). */
export async function requireUser(role: Role = 'REVIEWER'): Promise<SessionUser> {
  const user = await getCurrentUser();
  if (!user) throw signedOut();
  if (!hasRole(user, role)) throw notAllowed();
  return user;
}
