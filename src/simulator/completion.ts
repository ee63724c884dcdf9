/**
 * completionData for an approved order (rp-api-v6.md §3.3): the person, the simulated device, and a real
 * signature and OCSP response from the simulated BankID user PKI.
 */
import { createHash } from 'node:crypto';
import type { CompletionData } from '../bankid/types.ts';
import type { SimulatorCertificates } from './certs.ts';
import { buildOcspResponse } from './ocsp.ts';
import type { CompletionInput, Order } from './orders.ts';
import { buildSignature } from './signature.ts';
import { UserCertificates, bankIdIssueDate } from './user-certificates.ts';

/** Where the phone that scanned the QR code (or took the call) is: not the RP's user (TEST-NET-1). */
const OTHER_DEVICE_IP = '192.0.2.44';

export function createCompleter(certs: SimulatorCertificates, now: () => number): (input: CompletionInput) => CompletionData {
  const users = new UserCertificates(certs.userCustomerCa);
  return ({ order, person, risk, mrtd }) => {
    const user = users.get(person);
    const uhi = deviceId(order, person.personalNumber);
    const signature = Buffer.from(buildSignature({
      operation: order.operation,
      userVisibleData: order.request.userVisibleData,
      userNonVisibleData: order.request.userNonVisibleData,
      certificatePolicies: order.request.requirement.certificatePolicies,
      rpName: order.rp.name,
      rpDisplayName: order.rp.displayName,
      uhi,
      signer: user,
      chain: [certs.userCustomerCa, certs.userBankCa],
      now: now(),
    }), 'utf8').toString('base64');
    return {
      user: { personalNumber: person.personalNumber, name: `${person.givenName} ${person.surname}`, givenName: person.givenName, surname: person.surname },
      device: { ipAddress: order.startMethod === 'app' ? order.request.endUserIp! : OTHER_DEVICE_IP, uhi },
      bankIdIssueDate: bankIdIssueDate(user),
      ...(mrtd === undefined ? {} : { stepUp: { mrtd } }),
      signature,
      ocspResponse: buildOcspResponse({ subject: user, issuer: certs.userCustomerCa, responder: certs.userOcsp, signature, now: now() }),
      ...(risk === undefined ? {} : { risk }),
    };
  };
}

/**
 * `uhi`, stable per simulated device: the person's phone for QR and phone orders; for autostart the
 * RP's own device, told apart by the device identifier it sent (or the end user's IP).
 */
function deviceId(order: Order, personalNumber: string): string {
  const { request } = order;
  const device = order.startMethod === 'app'
    ? (request.web?.deviceIdentifier ?? request.app?.deviceIdentifier ?? request.endUserIp)
    : 'phone';
  return createHash('sha256').update(`${personalNumber}|${device}`).digest().subarray(0, 18).toString('base64');
}
