import NextAuth from 'next-auth';
import { guardCredentialsSignIn } from '@/lib/auth/credentials-route';
import { authOptions } from '@/lib/auth/session';

const handler = NextAuth(authOptions);
export const GET = handler;
// The password sign-in passes the limits first (lib/auth/credentials-route.ts).
export const POST = guardCredentialsSignIn(handler);
