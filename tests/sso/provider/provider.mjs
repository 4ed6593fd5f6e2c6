// A real OpenID Connect provider for the SSO tests: panva/oidc-provider (OpenID Certified),
// configured the way a region's identity system is (authorization code flow, PKCE required,
// RP-initiated logout). Started by tests/sso/oidc_provider.py on a free port.
//
// Environment:
//   PORT           the port to listen on (127.0.0.1)
//   CLIENTS_FILE   JSON list of client metadata (client_id, client_secret, redirect_uris, ...)
//   ACCOUNTS_FILE  JSON object {login: claims}; read again at every sign-in, so a test may add
//                  people after the provider started. Any other login is a person the
//                  provider knows by that subject alone (no e-mail, no groups).
//
// The sign-in form is the library's development interaction (login and any password): the
// tests are about what Nastavnik does with what the provider says, not about the provider's
// own password checks.
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(readFileSync(process.env.CLIENTS_FILE, 'utf8'));

function accounts() {
  return JSON.parse(readFileSync(process.env.ACCOUNTS_FILE, 'utf8'));
}

const provider = new Provider(issuer, {
  clients,
  cookies: { keys: ['nastavnik-test-provider-cookie-key'] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'family_name', 'given_name', 'middle_name', 'preferred_username'],
    groups: ['groups'],
  },
  scopes: ['openid', 'email', 'profile', 'groups'],
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  async findAccount(ctx, id) {
    const person = accounts()[id] || {};
    return {
      accountId: id,
      async claims() {
        return { ...person, sub: person.sub || id };
      },
    };
  },
  // First-party application of the region: no consent screen (as the region configures it).
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile groups');
    await grant.save();
    return grant;
  },
});

provider.listen(port, '127.0.0.1', () => {
  process.stdout.write(`oidc-provider listening on ${issuer}\n`);
});
