/** The sentence shown for a login state, in the page's language (RFA texts from the BankID layer). */
import { userMessage } from '../bankid/messages.ts';
import type { OrderState } from '../orders/flow.ts';
import type { Locale } from '../i18n/texts.ts';

type Unfinished = Exclude<OrderState, { state: 'complete' }>;

export function messageForState(state: Unfinished, mobile: boolean, locale: Locale): string {
  const errorCode = state.state === 'failed' ? state.errorCode : undefined;
  return userMessage({ status: state.state, hintCode: state.hintCode, errorCode, startMethod: state.startMethod, mobile })[locale];
}

export function messageForError(errorCode: string, startMethod: 'qr' | 'same_device', mobile: boolean, locale: Locale): string {
  return userMessage({ errorCode, startMethod, mobile })[locale];
}
