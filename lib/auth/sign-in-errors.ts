// What the sign-in page says when a sign-in came back refused (/signin?error=CODE).
// Only known codes are worded: the page never shows text from the URL, which
// anyone can write.

const MESSAGES = {
  NoEmail: 'Your company account has no email address. Ask your administrator to add one, then sign in again.',
  EmailUnverified: 'Your company account’s email address is not verified. Verify it with your company’s sign-in, then try again.',
  AccountDeactivated: 'Your Countersign account is deactivated. Ask an admin to reactivate it.',
  CompanySignInFailed: 'Signing in with your company account did not work. Try again in a moment.',
  // next-auth's own codes for a company sign-in that failed on the way (discovery, the code exchange, a forged or stale callback).
  OAuthSignin: 'Your company’s sign-in could not be reached. Try again in a moment, or ask your administrator.',
  OAuthCallback: 'Signing in with your company account did not work. Try again.',
  Callback: 'Signing in with your company account did not work. Try again.',
  AccessDenied: 'Your company account may not sign in to Countersign.',
  CredentialsSignin: 'That email and password do not match an account.',
} as const;

export type SignInErrorCode = keyof typeof MESSAGES;

const isCode = (value: string): value is SignInErrorCode => Object.hasOwn(MESSAGES, value);

/** The sentence for a refused sign-in; a code we do not know gets a general one. */
export function signInErrorMessage(code: string | string[] | undefined): string | null {
  const value = Array.isArray(code) ? code[0] : code;
  if (!value) return null;
  return isCode(value) ? MESSAGES[value] : 'Sign-in did not work. Try again.';
}

/** Where a refused sign-in goes: the sign-in page, which words the code. */
export const signInErrorPath = (code: SignInErrorCode): string => `/signin?error=${code}`;
