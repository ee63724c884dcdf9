/**
 * Swedish organisation numbers (organisationsnummer): ten digits, often written NNNNNN-NNNN, the last a Luhn check
 * digit over the other nine, as in personal numbers. A legal entity's third digit is at least 2, which tells it
 * apart from a sole trader's personal number; both are accepted, as both hold BankID agreements.
 */

/** The Luhn (mod 10) check over all digits, the last being the check digit. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** The number as NNNNNN-NNNN, or a sentence saying what is wrong. */
export function parseOrganisationNumber(text: string): { value: string } | { problem: string } {
  const digits = text.trim().replace(/^(\d{6})[-+]?(\d{4})$/, '$1$2');
  if (!/^\d{10}$/.test(digits)) return { problem: 'must be 10 digits, as NNNNNN-NNNN' };
  if (!luhnValid(digits)) return { problem: 'has a wrong check digit (Luhn): check for a typing error' };
  return { value: `${digits.slice(0, 6)}-${digits.slice(6)}` };
}
