/**
 * Every error the broker reports to a person, a client or an operator, in one table: a stable code, the HTTP status,
 * whether the detail may be shown (`expose`), the OAuth error it becomes at a client, and the sentence a person reads
 * in Swedish and English. Pages, the status JSON, the OIDC layer and the CLI all render from here.
 */
import type { Locale } from '../i18n/texts.ts';

export type OAuthError =
  | 'invalid_request' | 'access_denied' | 'server_error' | 'temporarily_unavailable' | 'login_required'
  | 'invalid_client' | 'unauthorized_client' | 'invalid_grant' | 'unmet_authentication_requirements'
  // RFC 6750, for the admin API's bearer tokens
  | 'invalid_token' | 'insufficient_scope';

export interface CatalogueEntry {
  status: number;
  /** May the error's own message (not only the catalogue text) be shown to whoever made the request? */
  expose: boolean;
  oauth: OAuthError;
  text: Record<Locale, string>;
}

const again = { sv: 'Gå tillbaka till tjänsten och försök igen.', en: 'Go back to the service and try again.' };

export const CATALOGUE = {
  interaction_expired: {
    status: 400, expose: true, oauth: 'invalid_request',
    text: { sv: 'Inloggningen har gått ut eller är redan avslutad. Gå tillbaka till tjänsten och börja om.', en: 'The login has expired or is already finished. Go back to the service and start again.' },
  },
  client_unknown: {
    status: 400, expose: true, oauth: 'invalid_client',
    text: { sv: `Tjänsten som du loggar in hos är inte registrerad. ${again.sv}`, en: `The service you are logging in to is not registered. ${again.en}` },
  },
  request_invalid: {
    status: 400, expose: true, oauth: 'invalid_request',
    text: { sv: `Inloggningen kunde inte genomföras. ${again.sv}`, en: `The login could not be completed. ${again.en}` },
  },
  start_method_not_allowed: {
    status: 400, expose: true, oauth: 'invalid_request',
    text: { sv: `Det här sättet att starta BankID är inte tillåtet för tjänsten. ${again.sv}`, en: `This way of starting BankID is not allowed for the service. ${again.en}` },
  },
  form_invalid: {
    status: 403, expose: true, oauth: 'invalid_request',
    text: { sv: 'Begäran kunde inte kontrolleras. Ladda om sidan och försök igen.', en: 'The request could not be verified. Reload the page and try again.' },
  },
  form_too_large: {
    status: 413, expose: true, oauth: 'invalid_request',
    text: { sv: 'Formuläret är för stort.', en: 'The form is too large.' },
  },
  qr_image_invalid: {
    status: 400, expose: true, oauth: 'invalid_request',
    text: { sv: 'QR-koden kan inte visas. Ladda om sidan.', en: 'The QR code cannot be shown. Reload the page.' },
  },
  return_mismatch: {
    status: 400, expose: true, oauth: 'access_denied',
    text: { sv: 'Du kom tillbaka i en annan webbläsare eller med en felaktig länk, så inloggningen avbröts av säkerhetsskäl. Börja om.', en: 'You came back in another browser or with a wrong link, so the login was stopped for your safety. Start again.' },
  },
  login_not_in_browser: {
    status: 404, expose: true, oauth: 'invalid_request',
    text: { sv: 'Den här inloggningen finns inte i den här webbläsaren.', en: 'There is no such login in this browser.' },
  },
  order_not_found: {
    status: 404, expose: true, oauth: 'invalid_request',
    text: { sv: 'Ingen BankID-order har startats för den här inloggningen.', en: 'No BankID order has been started for this login.' },
  },
  stream_foreign_origin: {
    status: 403, expose: true, oauth: 'access_denied',
    text: { sv: 'Inloggningens status kan bara följas från inloggningssidan.', en: "The login's status can only be followed from the login page." },
  },
  order_start_failed: {
    status: 502, expose: true, oauth: 'temporarily_unavailable',
    text: { sv: 'Något gick fel. Försök igen.', en: 'Something went wrong. Please try again' },
  },
  rate_limited: {
    status: 429, expose: true, oauth: 'temporarily_unavailable',
    text: { sv: 'Du har försökt för många gånger. Vänta en stund och försök sedan igen.', en: 'Too many attempts. Wait a moment and then try again.' },
  },
  attempts_exhausted: {
    status: 429, expose: true, oauth: 'temporarily_unavailable',
    text: { sv: 'BankID har startats för många gånger i den här inloggningen. Gå tillbaka till tjänsten och börja om.', en: 'BankID has been started too many times in this login. Go back to the service and start again.' },
  },
  /** BankID said complete, but its signature or OCSP response did not verify: nothing of it is trusted. */
  bankid_result_unverified: {
    status: 502, expose: true, oauth: 'access_denied',
    text: { sv: 'Svaret från BankID kunde inte kontrolleras, så du har inte loggats in och inget har skrivits under. Försök igen. Kontakta tjänsten om det händer igen.', en: 'The answer from BankID could not be verified, so you have not been logged in and nothing has been signed. Try again. Contact the service if it happens again.' },
  },
  cancelled_by_user: {
    status: 400, expose: true, oauth: 'access_denied',
    text: { sv: 'Du avbröt inloggningen.', en: 'You cancelled the login.' },
  },
  not_found: {
    status: 404, expose: true, oauth: 'invalid_request',
    text: { sv: 'Sidan finns inte. Kontrollera adressen.', en: 'The page does not exist. Check the address.' },
  },
  busy: {
    status: 503, expose: true, oauth: 'temporarily_unavailable',
    text: { sv: 'Många loggar in just nu. Försök igen om en stund.', en: 'Many people are logging in right now. Try again in a moment.' },
  },
  admin_unauthenticated: {
    status: 401, expose: true, oauth: 'invalid_token',
    text: { sv: 'Åtkomst kräver en giltig administratörstoken (Authorization: Bearer …).', en: 'Access needs a valid admin token (Authorization: Bearer …).' },
  },
  admin_forbidden: {
    status: 403, expose: true, oauth: 'insufficient_scope',
    text: { sv: 'Token saknar den behörighet (scope) som krävs för detta.', en: 'The token lacks the scope this needs.' },
  },
  admin_read_only: {
    status: 403, expose: true, oauth: 'insufficient_scope',
    text: { sv: 'Behörigheten (admin:read eller admin:tenant:<id>:read) får bara läsa, inte ändra.', en: 'This access (admin:read or admin:tenant:<id>:read) may read but not change anything.' },
  },
  admin_not_found: {
    status: 404, expose: true, oauth: 'invalid_request',
    text: { sv: 'Det finns inget sådant objekt.', en: 'There is no such object.' },
  },
  admin_invalid: {
    status: 400, expose: true, oauth: 'invalid_request',
    text: { sv: 'Begäran har ogiltiga fält; se listan över fel.', en: 'The request has invalid fields; see the list of errors.' },
  },
  admin_conflict: {
    status: 409, expose: true, oauth: 'invalid_request',
    text: { sv: 'Objektet finns redan eller ändrades samtidigt av någon annan. Läs in det igen och försök på nytt.', en: 'The object exists already or was changed by someone else at the same time. Read it again and retry.' },
  },
  registration_off: {
    status: 409, expose: true, oauth: 'invalid_request',
    text: { sv: 'Dynamisk klientregistrering är avstängd på den här brokern (DYNAMIC_CLIENT_REGISTRATION).', en: 'Dynamic client registration is off on this broker (DYNAMIC_CLIENT_REGISTRATION).' },
  },
  // The admin console (/admin): what a person reads on its pages.
  console_not_admin: {
    status: 403, expose: true, oauth: 'access_denied',
    text: { sv: 'Du är inte administratör i Brygga. Be en administratör att lägga till dig om du ska ha åtkomst.', en: 'You are not an administrator of Brygga. Ask an administrator to add you if you should have access.' },
  },
  console_form_expired: {
    status: 403, expose: true, oauth: 'invalid_request',
    text: { sv: 'Formuläret har gått ut. Ladda om sidan och försök igen.', en: 'The form has expired. Reload the page and try again.' },
  },
  console_sign_in_failed: {
    status: 400, expose: true, oauth: 'access_denied',
    text: { sv: 'Inloggningen med BankID blev inte klar. Försök igen.', en: 'The BankID sign-in did not complete. Try again.' },
  },
  console_other_person: {
    status: 403, expose: true, oauth: 'access_denied',
    text: { sv: 'Du bekräftade med en annan persons BankID än den som är inloggad.', en: 'You confirmed with the BankID of someone other than the person signed in.' },
  },
  database_unavailable: {
    status: 503, expose: false, oauth: 'temporarily_unavailable',
    text: { sv: 'Tjänsten är tillfälligt otillgänglig. Försök igen om en stund.', en: 'The service is temporarily unavailable. Try again in a moment.' },
  },
  // Tenants and certificates (admin API, CLI): the message names the field or the reason, for the admin.
  input_invalid: {
    status: 400, expose: true, oauth: 'invalid_request',
    text: { sv: 'Uppgifterna är inte giltiga: rätta de markerade fälten.', en: 'The input is not valid: correct the fields named.' },
  },
  tenant_unknown: {
    status: 404, expose: true, oauth: 'invalid_request',
    text: { sv: 'Organisationen finns inte.', en: 'There is no such organisation (tenant).' },
  },
  certificate_unknown: {
    status: 404, expose: true, oauth: 'invalid_request',
    text: { sv: 'Certifikatet finns inte.', en: 'There is no such certificate.' },
  },
  certificate_rejected: {
    status: 400, expose: true, oauth: 'invalid_request',
    text: { sv: 'Certifikatet kan inte användas mot BankID.', en: 'The certificate cannot be used with BankID.' },
  },
  certificate_state: {
    status: 409, expose: true, oauth: 'invalid_request',
    text: { sv: 'Certifikatet är inte i ett läge där det går.', en: 'The certificate is not in a state that allows this.' },
  },
  /** A login for a tenant that has no usable BankID certificate: nothing can be sent to BankID. */
  no_rp_certificate: {
    status: 503, expose: false, oauth: 'temporarily_unavailable',
    text: { sv: 'Inloggning med BankID är inte tillgänglig för tjänsten just nu. Försök igen senare.', en: 'Logging in with BankID is not available for this service right now. Try again later.' },
  },
  internal: {
    status: 500, expose: false, oauth: 'server_error',
    text: { sv: `Ett tekniskt fel uppstod. ${again.sv}`, en: `A technical error occurred. ${again.en}` },
  },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof CATALOGUE;

export interface BrokerErrorOptions {
  cause?: unknown;
  /** A sentence for the person that is more precise than the catalogue's (e.g. BankID's own RFA text). */
  text?: Record<Locale, string>;
  /** Seconds after which trying again makes sense (429, 503). */
  retryAfterS?: number;
}

/** The one error type the flow, the pages and the APIs throw; `message` is for logs and (when `expose`) clients. */
export class BrokerError extends Error {
  override name = 'BrokerError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly expose: boolean;
  readonly oauth: OAuthError;
  readonly retryAfterS?: number;
  readonly #text?: Record<Locale, string>;

  constructor(code: ErrorCode, message?: string, options: BrokerErrorOptions = {}) {
    const entry: CatalogueEntry = CATALOGUE[code];
    super(message ?? entry.text.en, { cause: options.cause });
    this.code = code;
    this.status = entry.status;
    this.expose = entry.expose;
    this.oauth = entry.oauth;
    this.retryAfterS = options.retryAfterS;
    this.#text = options.text;
  }

  /** What a person reads, in their language. */
  text(locale: Locale): string {
    return (this.#text ?? CATALOGUE[this.code].text)[locale];
  }

  /** The JSON body of an API answer: a stable code and a readable message. */
  toJSON(locale: Locale = 'en'): { error: ErrorCode; message: string } {
    return { error: this.code, message: this.text(locale) };
  }
}

/** Any thrown value as a BrokerError: ours as they are, anything else as `internal` (its message never shown). */
export function asBrokerError(err: unknown): BrokerError {
  return err instanceof BrokerError ? err : new BrokerError('internal', undefined, { cause: err });
}
