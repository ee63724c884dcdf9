/** What the demo says when a login comes back with an error: the common OAuth errors as sentences in the page's language. */
import type { Locale } from '../i18n/texts.ts';

const SIGN_IN_AGAIN = { sv: 'Du behöver logga in igen för att fortsätta.', en: 'You need to log in again to continue.' };

const SENTENCES = new Map<string, Record<Locale, string>>([
  ['access_denied', { sv: 'Inloggningen avbröts. Du kan försöka igen.', en: 'The login was cancelled. You can try again.' }],
  ['login_required', SIGN_IN_AGAIN],
  ['interaction_required', SIGN_IN_AGAIN],
  ['consent_required', SIGN_IN_AGAIN],
  ['invalid_request', { sv: 'Tjänsten skickade en felaktig begäran, så inloggningen kunde inte starta.', en: 'The service sent an invalid request, so the login could not start.' }],
  ['invalid_scope', { sv: 'Tjänsten bad om uppgifter som den inte får.', en: 'The service asked for information it may not have.' }],
  ['unauthorized_client', { sv: 'Tjänsten får inte logga in på det här sättet.', en: 'The service may not log in this way.' }],
  ['invalid_grant', { sv: 'Inloggningen hann gå ut innan den blev klar. Försök igen.', en: 'The login expired before it was done. Please try again.' }],
  ['server_error', { sv: 'Ett tekniskt fel uppstod. Försök igen.', en: 'A technical error occurred. Please try again.' }],
  ['temporarily_unavailable', { sv: 'Inloggningen är tillfälligt otillgänglig. Försök igen om en stund.', en: 'Logging in is unavailable for the moment. Try again in a while.' }],
]);
const OTHER = { sv: 'Inloggningen kunde inte slutföras. Försök igen.', en: 'The login could not be completed. Please try again.' };

/** `code` is the OAuth `error` of the callback, or the name of a check that failed in the client. */
export function loginErrorText(code: string, locale: Locale): string {
  return (SENTENCES.get(code) ?? OTHER)[locale];
}
