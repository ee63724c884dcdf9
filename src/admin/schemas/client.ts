/**
 * A client in the admin API: standard OIDC client metadata plus Brygga's settings (src/oidc/client-settings.ts), by
 * their registered names, so the API takes what `brygga clients add --file` takes. These schemas check types and
 * Brygga's own rules; oidc-provider's client validation then checks the whole client as it will be used.
 */
import { z } from 'zod';
import { isSecureOrigin } from '../../config/load.ts';
import { CIBA_GRANT_TYPE } from '../../oidc/ciba.ts';
import { ADMIN_SCOPE, REFRESH_TOKEN_TTL_S } from '../../oidc/client-settings.ts';
import { cursor, limit, tenantId } from './common.ts';

const httpsUrl = z.string().max(2000).refine((v) => URL.parse(v)?.protocol === 'https:', 'must be an https URL');
/** Where a browser or the broker sends people or logout tokens: exact, https except on loopback, no fragment. */
const callbackUrl = z.string().max(2000).refine((v) => {
  const url = URL.parse(v);
  return url !== null && (url.protocol === 'https:' || url.protocol === 'http:') && isSecureOrigin(url) && !url.hash && !v.includes('*');
}, 'must be an exact https URL (http only on localhost, 127.0.0.1 or [::1]), without a fragment or wildcard');
const text = (max: number) => z.string().trim().min(1).max(max);

/** The parts of a BankID requirement a client may set; a patch may remove each on its own (`null`). */
const requirementParts = {
  pinCode: z.boolean(), mrtd: z.boolean(), cardReader: z.enum(['class1', 'class2']), certificatePolicies: z.array(z.string().max(100)).max(20),
};
type RequirementParts = typeof requirementParts;
const removableParts = Object.fromEntries(Object.entries(requirementParts).map(([k, v]) => [k, v.nullable()])) as { [K in keyof RequirementParts]: z.ZodNullable<RequirementParts[K]> };

export const clientId = z.string().regex(/^[\w.~-]{1,128}$/, 'must be 1 to 128 letters, digits, ".", "~", "-" or "_"');

/** Every setting a client has; all optional on input (defaults come from the broker). */
export const clientFields = {
  client_name: text(200).describe('Name shown on the BankID page (Swedish, and the default for other languages).'),
  'client_name#en': text(200).describe('Name shown on English pages.'),
  organization_name: text(200).describe('The organisation behind the service (Sweden Connect client metadata).'),
  logo_uri: httpsUrl,
  client_uri: httpsUrl,
  policy_uri: httpsUrl,
  tos_uri: httpsUrl,
  contacts: z.array(z.email()).max(20).describe('E-mail addresses of the people responsible for the client.'),
  redirect_uris: z.array(callbackUrl).max(50).describe('Exact redirect URIs; https except on loopback.'),
  post_logout_redirect_uris: z.array(callbackUrl).max(50),
  backchannel_logout_uri: callbackUrl,
  backchannel_logout_session_required: z.boolean(),
  scope: z.string().max(2000).describe('Space-separated scopes the client may ask for (default: all the broker offers).'),
  subject_type: z.enum(['public', 'pairwise']),
  sector_identifier_uri: httpsUrl.describe('With `pairwise`: the URL listing the redirect URIs of the sector.'),
  token_endpoint_auth_method: z.enum(['client_secret_basic', 'client_secret_post', 'private_key_jwt'])
    .describe('Default `client_secret_basic`. With a secret method the broker generates the secret; `private_key_jwt` needs `jwks` or `jwks_uri`.'),
  token_endpoint_auth_signing_alg: z.enum(['RS256', 'PS256', 'ES256']),
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1).max(20) }).describe('The client\'s public keys (private_key_jwt).'),
  jwks_uri: httpsUrl.describe('Where the client publishes its public keys (private_key_jwt).'),
  userinfo_signed_response_alg: z.enum(['RS256', 'ES256']),
  id_token_signed_response_alg: z.enum(['RS256', 'ES256']),
  require_pushed_authorization_requests: z.boolean().describe('The client must use PAR.'),
  grant_types: z.array(z.enum(['authorization_code', 'refresh_token', 'client_credentials', CIBA_GRANT_TYPE])).min(1).max(4)
    .describe(`Default \`["authorization_code"]\`. \`refresh_token\` turns refresh tokens on (see \`brygga_refresh_tokens\`); \`client_credentials\` is for admin clients; \`${CIBA_GRANT_TYPE}\` for phone orders (CIBA, docs/extensions.md), with \`backchannel_token_delivery_mode\`.`),
  backchannel_token_delivery_mode: z.enum(['poll', 'ping'])
    .describe('Phone orders (CIBA): `poll` the token endpoint for the result, or be told at `backchannel_client_notification_endpoint` (`ping`).'),
  backchannel_client_notification_endpoint: httpsUrl.describe('Phone orders in `ping` mode: where the broker tells the client that the result is ready.'),
  brygga_refresh_tokens: z.boolean().describe('`false`: no new refresh tokens, even with the `refresh_token` grant type. Default: as the grant types allow.'),
  brygga_refresh_token_ttl_s: z.number().int().min(REFRESH_TOKEN_TTL_S.min).max(REFRESH_TOKEN_TTL_S.max).describe('Refresh token lifetime in seconds (default 86400).'),
  brygga_first_party: z.boolean().describe('Consent is implicit (no consent page).'),
  brygga_start_methods: z.array(z.enum(['qr', 'same_device'])).min(1).max(2),
  brygga_requirement: z.object(requirementParts).partial().strict().describe('BankID requirement defaults for this client\'s orders.'),
  brygga_login_text: text(4000).describe('Text shown in the BankID app (simpleMarkdownV1), Swedish and the default.'),
  'brygga_login_text#en': text(4000).describe('The login text for English pages.'),
  brygga_sso_group: z.string().regex(/^[\w.-]{1,64}$/).describe('Clients with the same group share a login session.'),
  brygga_may_introspect: z.boolean().describe('May introspect other clients\' tokens (a resource server).'),
  brygga_admin_scopes: z.array(z.string().regex(ADMIN_SCOPE)).max(20)
    .describe('Admin API scopes the client may use: `admin` or the read-only `admin:read`, `admin:tenant:<its own tenant>` or the read-only `admin:tenant:<its own tenant>:read`. Only a broker admin (`admin`) grants them; a tenant admin may keep or remove those a client has.'),
};

type Fields = typeof clientFields;
const optional = Object.fromEntries(Object.entries(clientFields).map(([k, v]) => [k, v.optional()])) as { [K in keyof Fields]: z.ZodOptional<Fields[K]> };
const removable = Object.fromEntries(Object.entries(clientFields).map(([k, v]) => [k, v.nullable().optional()])) as { [K in keyof Fields]: z.ZodOptional<z.ZodNullable<Fields[K]>> };

export const clientCreate = z.object({
  client_id: clientId.optional().describe('Default: generated.'),
  tenant_id: tenantId.optional().describe('Default: the caller\'s only tenant, or `default`.'),
  ...optional,
}).strict();

/**
 * JSON merge patch (RFC 7396) of the settings: a field replaces, `null` removes (back to the default); the requirement
 * is patched part by part, so `{"brygga_requirement":{"mrtd":null}}` removes that part and keeps the others.
 */
export const clientPatch = z.object({
  ...removable,
  brygga_requirement: z.object(removableParts).partial().strict().nullable().optional()
    .describe('Parts given replace, a part set to `null` is removed, `null` removes the whole requirement.'),
}).strict();

export const client = z.object({
  client_id: z.string(),
  tenant_id: z.string(),
  ...optional,
  has_secret: z.boolean().describe('Whether the client authenticates with a secret (never shown again after creation or rotation).'),
  previous_secret_expires_at: z.string().nullable().describe('Until when the secret before the last rotation is accepted.'),
  created_at: z.string(),
  updated_at: z.string(),
}).catchall(z.unknown());

export const clientWithSecret = client.extend({ client_secret: z.string().optional().describe('Shown this once.') });

export const clientListQuery = z.object({
  limit,
  cursor: cursor.optional(),
  tenant_id: tenantId.optional(),
  q: z.string().max(100).optional().describe('Part of the client id or name, any case.'),
}).strict();

export const secretRotation = z.object({
  grace_seconds: z.number().int().min(0).max(30 * 24 * 3600).optional().describe('How long the old secret stays valid; default CLIENT_SECRET_GRACE_S.'),
}).strict();

export const rotatedSecret = z.object({
  client_id: z.string(),
  client_secret: z.string().describe('The new secret, shown this once.'),
  previous_secret_expires_at: z.string().describe('The old secret is accepted until then.'),
});

export type ClientCreate = z.output<typeof clientCreate>;
export type ClientPatch = z.output<typeof clientPatch>;
export type ClientListQuery = z.output<typeof clientListQuery>;
export type SecretRotation = z.output<typeof secretRotation>;
