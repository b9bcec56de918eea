// Authentication (next-auth, email + password) and the one place that says
// who the caller is and what they may do. Pages and actions both use it.
import 'server-only';
import { getServerSession, type NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { cache } from 'react';
import { getDb } from '../db';
import { hasRole, notAllowed, signedOut, type Role } from './access';
import { credentialsSchema, verifyCredentials, type SessionUser } from './users';

export const authOptions: NextAuthOptions = {
  session: { strategy: 'jwt', maxAge: 8 * 60 * 60 },
  pages: { signIn: '/signin' },
  providers: [
    CredentialsProvider({
      name: 'Email',
      credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
      async authorize(credentials) {
        const parsed = credentialsSchema.safeParse(credentials);
        if (!parsed.success) return null;
        return verifyCredentials(getDb(), parsed.data.email, parsed.data.password);
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
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
};

/**
 * The signed-in user, read fresh from the database once per request, so a
 * removed or deactivated user, or a changed role, takes effect at once.
 */
export const getCurrentUser = cache(async (): Promise<SessionUser | null> => {
  const session = await getServerSession(authOptions);
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
