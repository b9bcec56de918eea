// Password hashes. argon2id, computed by a native binding on libuv's thread
// pool, so a sign-in never holds the event loop that serves every page.
// Hashes written before (bcryptjs, `$2a$`/`$2b$`) still verify, natively too,
// and the caller replaces them after the next successful sign-in.
import { hash, verify as verifyArgon2 } from '@node-rs/argon2';
import { verify as verifyBcrypt } from '@node-rs/bcrypt';

export const PASSWORD_MIN = 12;
/** argon2 takes any length: the cap bounds the work one attempt can ask of the server. */
export const PASSWORD_MAX = 256;

// OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): also the library's defaults, named here so a
// hash made under other parameters is recognised as one to replace.
const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
const CURRENT_PREFIX = `$argon2id$v=19$m=${ARGON2.memoryCost},t=${ARGON2.timeCost},p=${ARGON2.parallelism}$`;
const BCRYPT = /^\$2[abxy]\$/;

// Verified against when the email is unknown, so that path costs what a real one does.
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$VgNdkfvOIkXtphrLnx38sg$XT5w14RAFEEEXa3DQIVzDtwEquqPUPUro8UXyzKQUSQ';

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

export interface PasswordCheck {
  ok: boolean;
  /** The hash is of an older kind or weaker parameters: store a new one now that the password is known. */
  outdated: boolean;
}

/** Checks a password against a stored hash; `null` (no such user) takes the same time and never matches. */
export async function verifyPassword(stored: string | null, password: string): Promise<PasswordCheck> {
  if (stored === null) {
    await verifyArgon2(DUMMY_HASH, password).catch(() => false);
    return { ok: false, outdated: false };
  }
  // A malformed stored hash matches nothing (the libraries throw on one).
  const ok = await (BCRYPT.test(stored) ? verifyBcrypt(password, stored) : verifyArgon2(stored, password)).catch(() => false);
  return { ok, outdated: ok && !stored.startsWith(CURRENT_PREFIX) };
}
