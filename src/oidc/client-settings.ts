/**
 * Brygga's per-client settings, stored with the standard client metadata and validated by oidc-provider
 * (`extraClientMetadata`). `client_name` is the display name shown on the BankID page.
 */
import type { Requirement } from '../bankid/types.ts';
import { bankIdTextProblem } from './user-message.ts';

export const CLIENT_SETTINGS = {
  /** Consent is implicit: the client belongs to the organisation running the broker. */
  firstParty: 'brygga_first_party',
  /** Which start methods the login page offers: `qr`, `same_device`. */
  startMethods: 'brygga_start_methods',
  /** BankID `requirement` defaults for this client's orders (pinCode, mrtd, certificatePolicies, cardReader). */
  requirement: 'brygga_requirement',
  /** Text shown in the BankID app during login (`userVisibleData`, simpleMarkdownV1). */
  loginText: 'brygga_login_text',
  /** Clients with the same group name share a login session (single sign-on); without one, every login runs BankID. */
  ssoGroup: 'brygga_sso_group',
  /** May introspect tokens issued to other clients (a resource server); otherwise only its own. */
  mayIntrospect: 'brygga_may_introspect',
  /** The login text for English pages (`brygga_login_text` is the Swedish one, and the fallback). */
  loginTextEn: 'brygga_login_text#en',
  /**
   * Admin API scopes the client may use with client-credentials tokens: `admin` (everything), `admin:tenant:<id>`
   * (one tenant), and their read-only forms `admin:read` and `admin:tenant:<id>:read`.
   * oidc-provider puts any scope it does not know into such a token, so the admin API honours only these.
   */
  adminScopes: 'brygga_admin_scopes',
  /**
   * Whether refresh tokens are issued (for `offline_access`, to a client with the `refresh_token` grant type); absent:
   * they are. `false` stops new ones, e.g. for a while, without changing the grant types.
   */
  refreshTokens: 'brygga_refresh_tokens',
  /** How long a refresh token of this client lives, in seconds (default 24 h). */
  refreshTokenTtlS: 'brygga_refresh_token_ttl_s',
} as const;

/**
 * Set on a client each time it is loaded, never stored: the settings its logins run with, its own narrowed by its
 * tenant's policy (src/tenants/login-settings.ts). Read it with `loginSettings`.
 */
export const LOGIN_SETTINGS = 'brygga_login_settings';

/** Display metadata beyond OIDC's own: the English client name (`client_name` is the Swedish one) and the organisation. */
export const DISPLAY_METADATA = {
  clientNameEn: 'client_name#en',
  organizationName: 'organization_name',
} as const;

/** Every client property oidc-provider keeps besides the standard ones (its `extraClientMetadata`). */
export const EXTRA_CLIENT_METADATA: string[] = [...Object.values(CLIENT_SETTINGS), ...Object.values(DISPLAY_METADATA), LOGIN_SETTINGS];

/** The refresh token lifetime without a client setting, and the range a client may set. */
export const REFRESH_TOKEN_TTL_S = { default: 24 * 60 * 60, min: 60, max: 30 * 24 * 60 * 60 } as const;

export const ADMIN_SCOPE = /^admin(?::tenant:[\w.-]{1,64})?(?::read)?$/;

export type StartMethodSetting = 'qr' | 'same_device';

export interface ClientSettings {
  firstParty: boolean;
  startMethods: StartMethodSetting[];
  requirement?: Requirement;
  loginText?: string;
  loginTextEn?: string;
  ssoGroup?: string;
  mayIntrospect: boolean;
  adminScopes: string[];
  refreshTokens: boolean;
  refreshTokenTtlS: number;
}

/** What a login of the client runs with: its settings within its tenant's policy. */
export interface EffectiveSettings extends ClientSettings {
  /** The tenant's cap on order starts per minute for this client, if it has one. */
  startsPerMinute?: number;
  /** The acr of this client's logins, if the tenant sets one. */
  acr?: string;
}

/** The effective settings with the acr resolved: the tenant's, or the broker's (ACR). */
export interface LoginSettings extends EffectiveSettings {
  acr: string;
  /** The client's tenant (its logins' audit records name it). */
  tenantId: string;
}

const STRICT_REQUIREMENT_KEYS = new Set(['pinCode', 'mrtd', 'cardReader', 'certificatePolicies']);

/** A problem with one setting, as a sentence for the admin; undefined when the value is fine. */
export function settingProblem(key: string, value: unknown): string | undefined {
  switch (key) {
    case CLIENT_SETTINGS.firstParty:
    case CLIENT_SETTINGS.mayIntrospect:
    case CLIENT_SETTINGS.refreshTokens:
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case CLIENT_SETTINGS.ssoGroup:
      return typeof value === 'string' && /^[\w.-]{1,64}$/.test(value) ? undefined : 'must be a name of 1 to 64 letters, digits, ".", "-" or "_"';
    case CLIENT_SETTINGS.startMethods:
      return Array.isArray(value) && value.length > 0 && value.every((m) => m === 'qr' || m === 'same_device') && new Set(value).size === value.length
        ? undefined : 'must be a non-empty list of "qr" and/or "same_device"';
    case CLIENT_SETTINGS.refreshTokenTtlS:
      return Number.isInteger(value) && (value as number) >= REFRESH_TOKEN_TTL_S.min && (value as number) <= REFRESH_TOKEN_TTL_S.max
        ? undefined : `must be a whole number of seconds from ${REFRESH_TOKEN_TTL_S.min} to ${REFRESH_TOKEN_TTL_S.max} (30 days)`;
    case DISPLAY_METADATA.clientNameEn:
    case DISPLAY_METADATA.organizationName:
      return typeof value === 'string' && value.trim().length > 0 && value.length <= 200 ? undefined : 'must be a text of 1 to 200 characters';
    case CLIENT_SETTINGS.adminScopes:
      return Array.isArray(value) && value.every((v) => typeof v === 'string' && ADMIN_SCOPE.test(v)) && new Set(value).size === value.length
        ? undefined : 'must be a list of distinct "admin", "admin:tenant:<id>" scopes, or their ":read" forms';
    case CLIENT_SETTINGS.loginText:
    case CLIENT_SETTINGS.loginTextEn:
      return typeof value === 'string' && value.length > 0 ? bankIdTextProblem(value) : 'must be a non-empty string';
    case CLIENT_SETTINGS.requirement: {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object';
      const r = value as Record<string, unknown>;
      const unknown = Object.keys(r).filter((k) => !STRICT_REQUIREMENT_KEYS.has(k));
      if (unknown.length) return `has unsupported fields: ${unknown.join(', ')} (allowed: pinCode, mrtd, cardReader, certificatePolicies)`;
      if (r.pinCode !== undefined && typeof r.pinCode !== 'boolean') return 'pinCode must be true or false';
      if (r.mrtd !== undefined && typeof r.mrtd !== 'boolean') return 'mrtd must be true or false';
      if (r.cardReader !== undefined && r.cardReader !== 'class1' && r.cardReader !== 'class2') return 'cardReader must be "class1" or "class2"';
      if (r.certificatePolicies !== undefined && !(Array.isArray(r.certificatePolicies) && r.certificatePolicies.every((p) => typeof p === 'string' && /^[\d.*]+$/.test(p)))) return 'certificatePolicies must be a list of OIDs';
      return undefined;
    }
    default:
      return undefined;
  }
}

/** The settings of a provider client (or stored metadata), with defaults. */
export function clientSettings(client: Record<string, unknown>): ClientSettings {
  return {
    firstParty: client[CLIENT_SETTINGS.firstParty] === true,
    startMethods: (client[CLIENT_SETTINGS.startMethods] as StartMethodSetting[] | undefined) ?? ['qr', 'same_device'],
    requirement: client[CLIENT_SETTINGS.requirement] as Requirement | undefined,
    loginText: client[CLIENT_SETTINGS.loginText] as string | undefined,
    loginTextEn: client[CLIENT_SETTINGS.loginTextEn] as string | undefined,
    ssoGroup: client[CLIENT_SETTINGS.ssoGroup] as string | undefined,
    mayIntrospect: client[CLIENT_SETTINGS.mayIntrospect] === true,
    adminScopes: (client[CLIENT_SETTINGS.adminScopes] as string[] | undefined) ?? [],
    refreshTokens: client[CLIENT_SETTINGS.refreshTokens] !== false,
    refreshTokenTtlS: (client[CLIENT_SETTINGS.refreshTokenTtlS] as number | undefined) ?? REFRESH_TOKEN_TTL_S.default,
  };
}

/** A provider client's tenant, from its login settings; undefined for a client loaded without them. */
export function tenantOf(client: object): string | undefined {
  return ((client as Record<string, unknown>)[LOGIN_SETTINGS] as LoginSettings | undefined)?.tenantId;
}

/** The settings a login of a provider client runs with (set when the client was loaded). */
export function loginSettings(client: object): LoginSettings {
  const settings = (client as Record<string, unknown>)[LOGIN_SETTINGS] as LoginSettings | undefined;
  // Every client the provider uses comes through the client finder, which sets them.
  if (!settings) throw new Error('client loaded without its login settings');
  return settings;
}
