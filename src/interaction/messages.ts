/** The sentence shown for a login state, in the page's language (RFA texts from the BankID layer). */
import { userMessage } from '../bankid/messages.ts';
import { errorMessage, type OrderState } from '../orders/flow.ts';
import type { Locale } from '../i18n/texts.ts';

type Unfinished = Exclude<OrderState, { state: 'complete' }>;

export function messageForState(state: Unfinished, mobile: boolean, locale: Locale): string {
  if (state.state === 'failed' && state.errorCode) return errorMessage(state.errorCode, state.startMethod, mobile)[locale];
  return userMessage({ status: state.state, hintCode: state.hintCode, startMethod: state.startMethod, mobile })[locale];
}
