/**
 * What the demo says in the page's language: the common OAuth errors of a login that comes back with one, and the
 * steps of a signature's verification.
 */
import type { CheckName, CheckOutcome, VerificationResult } from '../bankid/verification/index.ts';
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

/** Each check of src/bankid/verification as the demo names it. */
const CHECK_LABELS: Record<CheckName, Record<Locale, string>> = {
  signatureFormat: { sv: 'XML-signaturen har BankID:s form', en: 'The XML signature has BankID\'s form' },
  signedDataDigest: { sv: 'Kontrollsumman (digest) av de undertecknade uppgifterna stämmer', en: 'The digest of the signed data matches' },
  keyInfoDigest: { sv: 'Kontrollsumman av nyckelinformationen (KeyInfo) stämmer', en: 'The digest of the key information (KeyInfo) matches' },
  signatureValue: { sv: 'Signaturvärdet stämmer med undertecknarens nyckel', en: 'The signature value verifies with the signer\'s key' },
  certificateChain: { sv: 'Certifikatkedjan leder till BankID:s användarrot', en: 'The certificate chain leads to the BankID user root' },
  sentData: { sv: 'Texten och datat i underskriften är de som skickades', en: 'The text and data in the signature are the ones sent' },
  function: { sv: 'Funktionen i underskriften är underskrift (funcId)', en: 'The function in the signature is signing (funcId)' },
  personalNumber: { sv: 'Personnumret är certifikatets', en: 'The personal number is the certificate\'s' },
  ocspSignature: { sv: 'OCSP-svaret är signerat av certifikatets utfärdare', en: 'The OCSP response is signed by the certificate\'s issuer' },
  ocspStatus: { sv: 'Certifikatet är giltigt enligt OCSP-svaret', en: 'The certificate is good according to the OCSP response' },
  ocspNonce: { sv: 'OCSP-svarets nonce hör till just den här signaturen', en: 'The OCSP response\'s nonce belongs to this very signature' },
};

const OUTCOMES: Record<CheckOutcome['outcome'], Record<Locale, string>> = {
  passed: { sv: 'Godkänd', en: 'Passed' },
  failed: { sv: 'Underkänd', en: 'Failed' },
  skipped: { sv: 'Inte kontrollerad', en: 'Not checked' },
};

/** The verification's steps in order, each with its name, result and (when not passed) the verifier's reason. */
export function verificationSteps(result: VerificationResult, locale: Locale) {
  return result.checks.map((c) => ({
    check: c.check,
    label: CHECK_LABELS[c.check][locale],
    outcome: c.outcome,
    result: OUTCOMES[c.outcome][locale],
    reason: c.outcome === 'passed' ? undefined : c.reason,
  }));
}
