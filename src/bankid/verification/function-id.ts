/** `clientInfo/funcId` per operation (rp-api-v6.md §9): what the app did, read back from the signed data. */
import type { Operation } from '../types.ts';

/** `Payment` for /payment is a guess: no source shows that funcId [U]. */
export const FUNC_ID: Record<Operation, string> = {
  auth: 'Identification', phoneAuth: 'Identification', sign: 'Signing', phoneSign: 'Signing', payment: 'Payment',
};
