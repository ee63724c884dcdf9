/**
 * The QR image of a page without JavaScript: its URL carries the frame and a MAC over the login and the frame, so
 * the image route draws, from no stored state, only frames this broker put on that login's page.
 */
import { parseQr } from '../bankid/qr.ts';
import { safeEqual } from '../security/safe-equal.ts';
import { interactionMac } from './browser.ts';

export function qrImageUrl(secret: string, uid: string, qr: string): string {
  return `/interaction/${uid}/qr.svg?${new URLSearchParams({ qr, mac: interactionMac(secret, 'qr', uid, qr) })}`;
}

/** Whether `qr` is a BankID frame with this login's MAC; only such a frame is drawn. */
export function issuedQr(secret: string, uid: string, qr: string | undefined, mac: string | undefined): qr is string {
  // The form first: a BankID frame is short and has no ':', so a uid and a frame cannot be joined another way.
  return qr !== undefined && mac !== undefined && qr === qr.trim() && parseQr(qr) !== undefined
    && safeEqual(interactionMac(secret, 'qr', uid, qr), mac);
}
