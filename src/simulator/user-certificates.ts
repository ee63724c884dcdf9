/**
 * BankID user certificates ("BankID på fil"), one per simulated person, issued by the customer CA on first
 * use and kept in memory: key generation takes tens of milliseconds, and a person keeps their BankID.
 */
import { USER_CERT_POLICY, USER_OCSP_URL } from './certs.ts';
import { createCertificate, type Issued } from './pki.ts';
import type { TestPerson } from './people.ts';

/** Bounds the cache: names can be made up per approval. */
const MAX_CACHED = 200;

export class UserCertificates {
  private readonly issuer: Issued;
  private readonly cache = new Map<string, Issued>();

  constructor(issuer: Issued) {
    this.issuer = issuer;
  }

  get(person: TestPerson): Issued {
    const key = `${person.personalNumber}|${person.givenName}|${person.surname}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    const issued = issueUserCertificate(person, this.issuer);
    this.cache.set(key, issued);
    return issued;
  }
}

function issueUserCertificate(person: TestPerson, issuer: Issued): Issued {
  const name = `${person.givenName} ${person.surname}`;
  const notBefore = new Date(Date.now() - 60 * 60 * 1000);
  return createCertificate({
    subject: {
      C: 'SE',
      O: 'Testbank A AB (publ)',
      SN: person.surname,
      GN: person.givenName,
      serialNumber: person.personalNumber,
      name: `(${issueStamp(notBefore)}) ${name} - BankID på fil`,
      CN: name,
    },
    issuer,
    notBefore,
    notAfter: new Date(notBefore.getTime() + 2 * 365 * 24 * 60 * 60 * 1000),
    policies: [USER_CERT_POLICY],
    ocspUrl: USER_OCSP_URL,
  });
}

/** `YYMMDD HH.MM` in Swedish time, as BankID writes the issue moment into the `name` attribute. */
function issueStamp(date: Date): string {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Europe/Stockholm', year: '2-digit', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(date).map((p) => [p.type, p.value]));
  return `${parts.year}${parts.month}${parts.day} ${parts.hour}.${parts.minute}`;
}

/** The issue date of a user's BankID: the day its certificate starts, in Swedish time. */
export function bankIdIssueDate(user: Issued): string {
  return user.cert.validity.notBefore.toLocaleDateString('sv-SE', { timeZone: 'Europe/Stockholm' });
}
