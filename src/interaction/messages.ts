/** The sentence shown for a login state, in the page's language (RFA texts from the BankID layer). */
import { userMessage } from '../bankid/messages.ts';
import type { LoginState } from '../login/service.ts';
import type { Locale } from './i18n.ts';

export function messageForState(state: LoginState, mobile: boolean, locale: Locale): string {
  const message = state.state === 'pending'
    ? userMessage({ status: 'pending', hintCode: state.hintCode, startMethod: state.startMethod, mobile })
    : userMessage({ status: 'failed', hintCode: state.state === 'failed' ? state.hintCode : undefined, errorCode: state.state === 'failed' ? state.errorCode : undefined, startMethod: state.startMethod, mobile });
  return message[locale];
}

export function messageForError(errorCode: string, startMethod: 'qr' | 'same_device', mobile: boolean, locale: Locale): string {
  return userMessage({ errorCode, startMethod, mobile })[locale];
}
