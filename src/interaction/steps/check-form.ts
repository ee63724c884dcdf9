/** Reads a posted form and checks its CSRF token, which is bound to this interaction and this browser. */
import { BrokerError } from '../../errors/catalogue.ts';
import { readForm } from '../../http/form.ts';
import { deviceId, validCsrf } from '../browser.ts';
import { stateOf, type Action } from '../context.ts';

export const checkForm: Action = (deps) => async (ctx, next) => {
  const state = stateOf(ctx);
  const form = await readForm(ctx);
  if (!validCsrf(deps.csrfSecret, state.uid, deviceId(ctx), form.csrf)) throw new BrokerError('form_invalid', 'CSRF token missing or wrong');
  state.form = form;
  await next();
};
