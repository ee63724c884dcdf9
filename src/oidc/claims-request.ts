/**
 * What the `claims` request parameter asks of a login beyond releasing claims: a person it must be (a
 * personalIdentityNumber or coordinationNumber `value`, which binds the BankID order to that person), and essential
 * claims the broker must be able to supply at all.
 */
import { errors } from 'oidc-provider';
import { birthdateFromPersonalNumber, OIDC_SE, SCOPE_CLAIMS } from './claims.ts';

type ClaimsRequest = Partial<Record<'id_token' | 'userinfo', Record<string, { essential?: boolean; value?: unknown } | null>>>;

const PERSON_CLAIMS = [OIDC_SE.personalIdentityNumber, OIDC_SE.coordinationNumber] as const;

/** Every claim a BankID login can give, and the protocol claims oidc-provider always can. */
const SUPPLIABLE = new Set<string>(['sub', 'iss', 'aud', 'exp', 'iat', 'nonce', 'acr', 'amr', 'auth_time', 'sid', 'azp',
  ...Object.values(SCOPE_CLAIMS).flatMap((claims) => claims ?? [])]);

/** Luhn over the ten digits YYMMDDNNNC, as for every Swedish personal and coordination number. */
function luhnValid(tenDigits: string): boolean {
  let sum = 0;
  for (let i = 0; i < tenDigits.length; i++) {
    let d = Number(tenDigits[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return sum % 10 === 0;
}

export function validPersonalNumber(value: unknown): value is string {
  return typeof value === 'string' && /^\d{12}$/.test(value) && birthdateFromPersonalNumber(value) !== undefined && luhnValid(value.slice(2));
}

/** The person the request binds the login to, if any (the same value wherever it is asked). */
export function requiredPerson(claims: ClaimsRequest): string | undefined {
  for (const container of [claims.id_token, claims.userinfo]) {
    for (const name of PERSON_CLAIMS) {
      const value = container?.[name]?.value;
      if (value !== undefined) return value as string;
    }
  }
  return undefined;
}

/** The `claims` parameter as oidc-provider keeps it in an interaction's params (a JSON string). */
export function requiredPersonOf(params: Record<string, unknown>): string | undefined {
  return typeof params.claims === 'string' ? requiredPerson(JSON.parse(params.claims) as ClaimsRequest) : undefined;
}

/** oidc-provider's `assertClaimsParameter`: refuse at the authorization request what no login could honour. */
export function assertClaimsRequest(claims: ClaimsRequest): void {
  const values = new Set<string>();
  for (const container of [claims.id_token, claims.userinfo]) {
    for (const [name, request] of Object.entries(container ?? {})) {
      // oidc-provider's own check, which this hook replaces.
      if (request !== null && (typeof request !== 'object' || Array.isArray(request))) throw new errors.InvalidRequest('claims members must be null or objects');
      if (request?.essential === true && !SUPPLIABLE.has(name)) throw new errors.InvalidRequest(`essential claim ${name} cannot be provided by a BankID login`);
      if (request?.value === undefined || !(PERSON_CLAIMS as readonly string[]).includes(name)) continue;
      if (!validPersonalNumber(request.value)) throw new errors.InvalidRequest(`${name} value must be a valid 12-digit personal identity number (YYYYMMDDNNNN)`);
      values.add(request.value);
    }
  }
  if (values.size > 1) throw new errors.InvalidRequest('the claims parameter asks for two different persons');
}
