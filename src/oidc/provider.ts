/**
 * oidc-provider configured for Brygga. Every choice that differs from the library default is here, with why.
 * The provider knows nothing of BankID: it gets accounts from `findAccount`, logins from the interaction routes, and
 * starts phone orders (CIBA) through the starter it is given.
 */
import Provider, { errors, type AdapterFactory, type Configuration, type FindAccount, type JWKS, type KoaContextWithOIDC } from 'oidc-provider';
import type { Config } from '../config/load.ts';
import { adminResourceIndicators } from './admin-resource.ts';
import { clientSettings, EXTRA_CLIENT_METADATA, settingProblem } from './client-settings.ts';
import { SCOPE_CLAIMS, withoutUnrequested } from './claims.ts';
import { cookieNames } from '../security/cookie-names.ts';
import { assertClaimsRequest } from './claims-request.ts';
import { assertCallInitiator, CALL_INITIATOR_PARAM, CIBA_REQUEST_TTL_S, cibaFeature, unauthorizedCibaClients, type CibaDeps } from './ciba.ts';
import { outageAwareAccounts, outageAwareAdapter } from './outage.ts';
import { assertPaymentRequest, PAYMENT_DISCOVERY, PAYMENT_REQUEST_PARAM } from './payment-request.ts';
import { interactionPolicyFor, recordSessionHolder } from './policy.ts';
import { assertSignRequest, SIGN_REQUEST_PARAM } from './sign-request.ts';
import { pairwiseSubject } from './subject.ts';
import { parseUserMessage, USER_MESSAGE_MIME_TYPES, USER_MESSAGE_PARAM, UserMessageError } from './user-message.ts';

export interface ProviderPages {
  /** HTML for an error in a browser flow (authorization or logout). */
  error(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }, error: Error): string | Promise<string>;
  logout(ctx: KoaContextWithOIDC, form: string): string | Promise<string>;
  loggedOut(ctx: KoaContextWithOIDC): string | Promise<string>;
}

export interface ProviderDeps {
  config: Config;
  adapter: AdapterFactory;
  jwks: JWKS;
  /** Keys or a keygrip-compatible signer (security/cookie-signer.ts). */
  cookieKeys: NonNullable<NonNullable<Configuration['cookies']>['keys']>;
  dpopNonceSecret: Buffer;
  subjectSecret: string;
  findAccount: NonNullable<Configuration['findAccount']>;
  pages: ProviderPages;
  /**
   * With these, dynamic client registration is on: the named policies run on every registration and update (they
   * come with the initial access token and pass to the registration access token), and the adapter's Client writes
   * go to the clients table (src/admin/actions/registration/).
   */
  registrationPolicies?: RegistrationPolicies;
  /** Phone orders over CIBA, for clients registered with its grant type (ciba.ts). */
  ciba: Omit<CibaDeps, 'subjectSecret'>;
}

export type RegistrationPolicies = NonNullable<NonNullable<NonNullable<Configuration['features']>['registration']>['policies']>;

const epoch = () => Math.floor(Date.now() / 1000);

/** The ID token leaves out what it carries only on request (claims.ts); userinfo gets everything its scopes name. */
function smallIdTokens(findAccount: FindAccount): FindAccount {
  return async (ctx, sub, token) => {
    const account = await findAccount(ctx, sub, token);
    if (!account) return account;
    return {
      ...account,
      claims: async (use, scope, claims, rejected) => withoutUnrequested(use, await account.claims(use, scope, claims, rejected), claims) as Awaited<ReturnType<typeof account.claims>>,
    };
  };
}

/** Only the method the client registered: oidc-provider takes a secret in the body or the header for either. */
function registeredSecretMethodOnly(provider: Provider): void {
  const compare = provider.Client.prototype.compareClientSecret;
  provider.Client.prototype.compareClientSecret = function (this: InstanceType<Provider['Client']>, actual: string) {
    const presented = Provider.ctx?.oidc.params?.client_secret !== undefined ? 'client_secret_post' : 'client_secret_basic';
    if (presented !== this.clientAuthMethod) throw new errors.InvalidClientAuth(`this client authenticates with ${this.clientAuthMethod} only`);
    return compare.call(this, actual);
  };
}

/**
 * Browsers keep Secure cookies from http://localhost (a secure context), but the cookies module will not mark them
 * Secure over plain HTTP; a SameSite=None cookie without Secure is dropped, so add the attribute (loopback issuers only).
 */
const secureCookiesOnLoopback: Parameters<Provider['use']>[0] = async (ctx, next) => {
  await next();
  const cookies = ctx.response.headers['set-cookie'];
  if (!Array.isArray(cookies)) return;
  ctx.set('set-cookie', cookies.map((c) => (/;\s*samesite=none/i.test(c) && !/;\s*secure/i.test(c) ? `${c}; secure` : c)));
};

export function createProvider(deps: ProviderDeps): Provider {
  const { config, pages } = deps;
  const ttl = config.oidc;
  const configuration: Configuration = {
    adapter: outageAwareAdapter(deps.adapter),
    jwks: deps.jwks,
    clients: [], // clients live in the database and come through the adapter

    // Only the authorization-code flow, PKCE S256 for everyone, no implicit or hybrid responses.
    responseTypes: ['code'],
    pkce: { required: () => true },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
      // The Swedish profile: userinfo responses MUST be signed. A client may register another algorithm.
      userinfo_signed_response_alg: config.oidc.userinfoSigningAlg,
      // auth_time and acr are required by the Swedish profile: always include them.
      require_auth_time: true,
      // A client loaded for a login gets its tenant's acr here instead (tenants/login-settings.ts).
      default_acr_values: [config.oidc.acr],
    },
    // Every acr a client's logins may be asserted with (ACR_SUPPORTED): what a client may register as
    // default_acr_values. Which one a login gets, and which requests are refused, is per client (policy.ts).
    acrValues: config.oidc.acrSupported,
    subjectTypes: ['public', 'pairwise'],
    pairwiseIdentifier: (_ctx, accountId, client) => pairwiseSubject(deps.subjectSecret, accountId, String(client.sectorIdentifier ?? client.clientId)),

    scopes: ['openid', 'offline_access'],
    claims: SCOPE_CLAIMS as unknown as Configuration['claims'],
    // The profile wants identity numbers and authentication evidence in the ID token, not only at userinfo.
    conformIdTokenClaims: false,
    findAccount: smallIdTokens(outageAwareAccounts(deps.findAccount)),

    extraClientMetadata: {
      properties: EXTRA_CLIENT_METADATA,
      validator(_ctx, key, value) {
        if (value === undefined) return;
        const problem = settingProblem(key, value);
        if (problem) throw new errors.InvalidClientMetadata(`${key} ${problem}`);
      },
    },

    // First-party clients get their grant without a consent page (also after a code replay or logout revoked the
    // last one); others see one listing what is shared.
    async loadExistingGrant(ctx) {
      const { client, session } = ctx.oidc;
      const grantId = ctx.oidc.result?.consent?.grantId ?? session?.grantIdFor(client!.clientId);
      const existing = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      if (!client || !session?.accountId || !clientSettings(client as unknown as Record<string, unknown>).firstParty) return existing;
      const grant = existing ?? new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
      grant.addOIDCClaims([...ctx.oidc.requestParamClaims]);
      await grant.save();
      return grant;
    },

    extraParams: {
      // The Swedish profile makes state REQUIRED (section 2.1).
      state: (ctx, value) => {
        // A CIBA request has no redirect to carry it.
        if (value === undefined && ctx.oidc.route !== 'backchannel_authentication') throw new errors.InvalidRequest('state is required');
      },
      [USER_MESSAGE_PARAM]: (_ctx, value) => {
        if (value === undefined) return;
        try {
          parseUserMessage(value);
        } catch (err) {
          if (err instanceof UserMessageError) throw new errors.InvalidRequest(err.message);
          throw err;
        }
      },
      // Signatures (Signature Extension): the scope, prompt and parameter rules, and BankID's size limits.
      [SIGN_REQUEST_PARAM]: assertSignRequest,
      // Payments (Brygga's Payment Extension, docs/extensions.md): the same shape of rules, BankID's transaction rules.
      [PAYMENT_REQUEST_PARAM]: assertPaymentRequest,
      // Phone orders (CIBA): who called whom, as BankID asks.
      [CALL_INITIATOR_PARAM]: assertCallInitiator,
    },

    interactions: {
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
      policy: interactionPolicyFor(),
    },

    // OIDC Core requires POST at the authorization endpoint, RP-Initiated Logout at the end-session endpoint. That
    // needs the session cookie sent cross-site (SameSite=None); docs/conformance.md says why it is safe here.
    enableHttpPostMethods: true,
    cookies: {
      keys: deps.cookieKeys,
      names: (({ session, interaction, resume }) => ({ session, interaction, resume }))(cookieNames(config.http.issuer)),
      long: { signed: true, httpOnly: true, sameSite: 'none' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },

    // The default guard refuses loopback and private receivers (back-channel logout, jwks_uri); tests lift it.
    ...(config.oidc.allowPrivateRpAddresses
      ? { fetch: (url, options) => globalThis.fetch(url, { ...options, dispatcher: undefined } as RequestInit) }
      : {}),

    // oidc-provider's rule (the refresh_token grant type and offline_access), unless the client's setting turns them off.
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access') && clientSettings(client as unknown as Record<string, unknown>).refreshTokens,

    ttl: {
      AccessToken: ttl.accessTokenTtlS,
      ClientCredentials: ttl.accessTokenTtlS,
      AuthorizationCode: 60,
      IdToken: ttl.idTokenTtlS,
      Interaction: ttl.interactionTtlS,
      // Absolute: a session ends SESSION_TTL_S after the login, however often it is used.
      Session: (_ctx, session) => Math.max(1, (session.loginTs ?? epoch()) + ttl.sessionTtlS - epoch()),
      Grant: ttl.sessionTtlS,
      RefreshToken: (_ctx, _token, client) => clientSettings(client as unknown as Record<string, unknown>).refreshTokenTtlS,
      PushedAuthorizationRequest: 60,
      // oidc-provider's default is no expiry: a leaked registration access token would manage its client forever.
      RegistrationAccessToken: config.admin.registrationAccessTokenTtlS,
      BackchannelAuthenticationRequest: (ctx) => Math.min(CIBA_REQUEST_TTL_S, Number(ctx?.oidc.params?.requested_expiry ?? CIBA_REQUEST_TTL_S)),
    },

    features: {
      devInteractions: { enabled: false },
      // A person bound by `value`, or an essential claim no BankID login can give, is settled before any order starts.
      claimsParameter: { enabled: true, assertClaimsParameter: (_ctx, claims) => assertClaimsRequest(claims as Parameters<typeof assertClaimsRequest>[0]) },
      requestObjects: { enabled: true, requireSignedRequestObject: false },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false },
      revocation: { enabled: true },
      // A token is introspected by its own client, or by a client allowed to (a resource server).
      introspection: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId || clientSettings(client as unknown as Record<string, unknown>).mayIntrospect,
      },
      userinfo: { enabled: true },
      jwtUserinfo: { enabled: true },
      backchannelLogout: { enabled: true },
      // Admin clients get tokens for the admin API (src/admin/) with the client-credentials grant, if registered for it.
      resourceIndicators: adminResourceIndicators(config.http.issuer, ttl.accessTokenTtlS),
      clientCredentials: { enabled: true },
      // RFC 7591/7592, only with initial access tokens an admin issues per tenant (adapter-backed, so they expire
      // and can be revoked); a registration access token lets the client read, replace or delete itself until it
      // expires (ttl above), and each replacement rotates it: a new one for the whole lifetime, the old one ends.
      registration: deps.registrationPolicies
        ? { enabled: true, initialAccessToken: true, issueRegistrationAccessToken: true, policies: deps.registrationPolicies }
        : { enabled: false },
      registrationManagement: { enabled: deps.registrationPolicies !== undefined, rotateRegistrationAccessToken: true },
      dPoP: { enabled: true, nonceSecret: deps.dpopNonceSecret },
      ciba: cibaFeature({ ...deps.ciba, subjectSecret: deps.subjectSecret }),
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => { ctx.body = await pages.logout(ctx, form); },
        postLogoutSuccessSource: async (ctx) => { ctx.body = await pages.loggedOut(ctx); },
      },
    },

    discovery: {
      ui_locales_supported: ['sv', 'en'],
      claims_locales_supported: ['sv', 'en'],
      // Signature requests come by value (request objects) or pushed (PAR); oidc-provider fetches no other
      // request_uri and says so (request_uri_parameter_supported: false).
      request_parameter_supported: true,
      'https://id.oidc.se/disco/userMessageSupported': true,
      'https://id.oidc.se/disco/userMessageSupportedMimeTypes': [...USER_MESSAGE_MIME_TYPES],
      [PAYMENT_DISCOVERY]: true,
    },

    renderError: async (ctx, out, error) => {
      ctx.type = 'html';
      ctx.body = await pages.error(ctx, out, error);
    },
  };
  const provider = new Provider(config.http.issuer, configuration);
  provider.proxy = config.http.trustProxy;
  registeredSecretMethodOnly(provider);
  provider.on('authorization.success', recordSessionHolder);
  provider.use(unauthorizedCibaClients);
  if (new URL(config.http.issuer).protocol === 'http:') provider.use(secureCookiesOnLoopback);
  return provider;
}
