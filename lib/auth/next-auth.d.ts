// The session and token carry the user's id and role.
import type { Role } from './access';

declare module 'next-auth' {
  interface Session {
    user: { id: string; email: string; name: string | null; role: Role };
  }
  interface User {
    id: string;
    email: string;
    name: string | null;
    role: Role;
  }
}

declare module 'next-auth/jwt' {
  interface JWT {
    uid?: string;
    role?: Role;
  }
}
