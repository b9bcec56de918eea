import NextAuth from 'next-auth';
import type { NextRequest } from 'next/server';
import { guardCredentialsSignIn } from '@/lib/auth/credentials-route';
import { getAuthOptions } from '@/lib/auth/session';

interface Context {
  params: Promise<{ nextauth: string[] }>;
}

// Options at the first request, not at import (lib/auth/session.ts).
const handler = (request: NextRequest, context: Context): Promise<Response> => NextAuth(request, context, getAuthOptions());
export const GET = handler;
// The password sign-in passes the limits first, and is refused when turned off (lib/auth/credentials-route.ts).
export const POST = guardCredentialsSignIn(handler);
