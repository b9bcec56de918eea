// A real OpenID Connect provider in this process, for tests of company
// sign-in: oidc-provider (the certified library Keycloak-like servers are
// tested against) on a free loopback port, with one confidential client, its
// built-in login page (devInteractions: any password, the login names the
// account), consent given for the client, and accounts the test edits
// between sign-ins (email, email_verified, name, groups).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Account, Grant, OidcContext } from 'oidc-provider';

export interface TestAccount {
  email?: string;
  email_verified?: boolean;
  name?: string;
  groups?: string[];
}

export interface TestOidcProvider {
  /** http://127.0.0.1:<port>, its discovery document under /.well-known/openid-configuration. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Adds or replaces the account the login form's `login` names; its claims are read at each sign-in. */
  setAccount(login: string, account: TestAccount): void;
  close(): Promise<void>;
}

/** Which claims each scope releases: `groups` like Okta's, asked for with OIDC_SCOPES. */
const CLAIMS = { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] };

function signingKeys() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), use: 'sig', alg: 'RS256' }] };
}

/**
 * Starts the provider. `redirectUri` is the web app's callback
 * (http://127.0.0.1:<port>/api/auth/callback/oidc): the provider sends a
 * browser back only there.
 */
export async function startOidcProvider({ redirectUri }: { redirectUri: string }): Promise<TestOidcProvider> {
  // ESM only: a dynamic import loads it from this CommonJS-compiled file too.
  const { default: Provider } = await import('oidc-provider');
  const accounts = new Map<string, TestAccount>();
  const clientId = `countersign-${randomBytes(4).toString('hex')}`;
  const clientSecret = randomBytes(24).toString('hex');

  const server = http.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: signingKeys(),
    cookies: { keys: [randomBytes(32).toString('hex')] },
    // Seconds; set, so the provider does not warn that its defaults are used.
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
    claims: CLAIMS,
    scopes: Object.keys(CLAIMS),
    // Refuses an authorization request without a code challenge: proves the web app sends PKCE.
    pkce: { required: () => true },
    async findAccount(_ctx, id): Promise<Account | undefined> {
      if (!accounts.has(id)) return undefined;
      return { accountId: id, claims: () => ({ sub: id, ...accounts.get(id) }) };
    },
    // The client is first-party: consent to what it asks is given, so the login form is the only page.
    async loadExistingGrant(ctx: OidcContext): Promise<Grant | undefined> {
      const { client, session, params, result, provider: self } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      if (grantId) return self.Grant.find(grantId);
      const grant = new self.Grant({ accountId: session.accountId, clientId: client.clientId });
      grant.addOIDCScope(params?.scope ?? 'openid');
      await grant.save();
      return grant;
    },
  });
  server.on('request', provider.callback());

  return {
    issuer,
    clientId,
    clientSecret,
    setAccount(login, account) {
      accounts.set(login, account);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
