/**
 * What a waiting page reads about its order, the same in the status poll and in every stream message: the state,
 * BankID's hint or why the order was given up, the sentence to show, and the current QR string while one is shown.
 */
import type { Locale } from '../i18n/texts.ts';
import type { ShownState } from '../orders/flow.ts';
import { messageForState } from './messages.ts';

export interface OrderJson {
  state: ShownState['state'];
  hintCode?: string;
  /** Why the broker gave the order up (BankID's errorCode, or `transport` when BankID did not answer). */
  errorCode?: string;
  message: string;
  /** The QR string is what the image shows anyone looking at the screen; tools and tests read it here. */
  qr?: string;
}

export function orderJson(state: ShownState, mobile: boolean, locale: Locale): OrderJson {
  return {
    state: state.state,
    hintCode: state.state === 'complete' ? undefined : state.hintCode,
    errorCode: state.state === 'failed' ? state.errorCode : undefined,
    message: state.state === 'complete' ? '' : messageForState(state, mobile, locale),
    qr: state.state === 'pending' ? state.qr : undefined,
  };
}
