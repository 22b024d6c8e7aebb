// A real OpenID Connect provider for the single sign-on tests: panva's oidc-provider (the npm package,
// pinned in package-lock.json), configured for one client, the app under test.
//
//   node tests/oidc/provider.mjs CONFIG.json
//
// CONFIG.json: {"port": 5556, "client_id": "...", "client_secret": "...", "redirect_uris":
// ["http://127.0.0.1:PORT/oauth2callback"], "accounts": {"ada": {"email": "ada@uni.example", ...}}}
// It listens on 127.0.0.1:port (the issuer is http://127.0.0.1:port) and prints one line, `ready ISSUER`, when it serves.
//
// Sign-in is oidc-provider's own development login page (any password): the login typed is the
// account id (the `sub` claim), and its claims are the account's entry in "accounts" (an unknown
// login has no claim but `sub`). Claims go into the ID token as Google's do (conformIdTokenClaims
// off): Streamlit's st.user shows the ID token's claims. The app is a first-party client: consent is
// given with the sign-in, so there is no consent page. RP-initiated logout is on (st.logout uses it).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = config.accounts || {};
const SCOPES = 'openid email profile';

const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

function plainPage(ctx, title, body) {  // the provider's own pages, with no font from the internet
  ctx.type = 'html';
  ctx.body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head>`
    + `<body><h1>${title}</h1>${body}</body></html>`;
}

function start(issuer, port) {
  const provider = new Provider(issuer, {
    clients: [{
      client_id: config.client_id,
      client_secret: config.client_secret,
      redirect_uris: config.redirect_uris,
      post_logout_redirect_uris: config.redirect_uris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    jwks: { keys: [{ ...signingKey, use: 'sig', alg: 'RS256', kid: 'test-key' }] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
    },
    conformIdTokenClaims: false,
    async findAccount(ctx, id) {
      const claims = accounts[id] || {};
      return { accountId: id, async claims() { return { sub: id, ...claims }; } };
    },
    async loadExistingGrant(ctx) {  // a first-party client: no consent page
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) {
        return ctx.oidc.provider.Grant.find(grantId);
      }
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId,
                                                  accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope(SCOPES);
      await grant.save();
      return grant;
    },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          plainPage(ctx, 'Sign out', `${form}<button autofocus type="submit" form="op.logoutForm" value="yes" `
            + 'name="logout">Yes, sign me out</button>');
        },
        async postLogoutSuccessSource(ctx) {
          plainPage(ctx, 'Signed out', '');
        },
      },
    },
    async renderError(ctx, out) {
      plainPage(ctx, 'Sign-in error', `<pre>${JSON.stringify(out).replace(/[<>&]/g, '')}</pre>`);
    },
  });
  provider.listen(port, '127.0.0.1', () => {
    console.log(`ready ${issuer}`);
  });
}

start(`http://127.0.0.1:${config.port}`, config.port);
