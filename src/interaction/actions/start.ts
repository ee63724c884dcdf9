/** POST /interaction/:uid/start — starts a BankID order with the chosen method (a retry replaces the last one). */
import { detectDevice } from '../../bankid/launch.ts';
import { BrokerError } from '../../errors/catalogue.ts';
import { loginSettings } from '../../oidc/client-settings.ts';
import { requiredPersonOf } from '../../oidc/claims-request.ts';
import { paymentRequestOf } from '../../oidc/payment-request.ts';
import { signRequestOf } from '../../oidc/sign-request.ts';
import { messageFor, parseUserMessage, USER_MESSAGE_PARAM } from '../../oidc/user-message.ts';
import type { StartMethod } from '../../orders/flow.ts';
import { clientIp } from '../../http/client-ip.ts';
import { browserBinding, deviceId, webDeviceData } from '../browser.ts';
import { clientOf, interactionOf, localeOf, stateOf, type Action } from '../context.ts';

const START_METHODS = new Set<string>(['qr', 'same_device']);

export const startOrder: Action = (deps) => {
  const { config, orders } = deps;
  const issuerHost = new URL(config.http.issuer).hostname;
  return async (ctx) => {
    const d = interactionOf(ctx);
    const c = clientOf(ctx);
    // The client's settings within its tenant's policy: methods, requirement (raised to the tenant's floor).
    const settings = loginSettings(c);
    const method = stateOf(ctx).form!.method as StartMethod;
    if (!START_METHODS.has(method) || !settings.startMethods.includes(method)) {
      throw new BrokerError('start_method_not_allowed', `start method ${String(method)} is not allowed for ${c.clientId}`);
    }
    const binding = browserBinding(ctx);
    await orders.cancelFor(d.uid, binding);

    const locale = localeOf(ctx);
    // A signature shows its sign_message; its data to be signed goes to BankID unseen. A payment shows its transaction.
    const sign = signRequestOf(d.params);
    const payment = paymentRequestOf(d.params);
    const requested = sign?.message ?? payment?.message ?? (d.params[USER_MESSAGE_PARAM] ? parseUserMessage(String(d.params[USER_MESSAGE_PARAM])) : undefined);
    const loginText = (locale === 'en' ? settings.loginTextEn : undefined) ?? settings.loginText;
    const text = requested ? messageFor(requested, locale) : loginText;
    const markdown = requested ? requested.mimeType === 'text/markdown' : Boolean(loginText);
    // A client that asked for one person gets an order only that person's BankID can complete.
    const personalNumber = requiredPersonOf(d.params);
    try {
      await orders.start({
        operation: payment ? 'payment' : sign?.kind === 'sign' ? 'sign' : 'auth',
        interactionId: d.uid,
        clientId: c.clientId,
        startMethod: method,
        endUserIp: clientIp(ctx),
        web: webDeviceData(ctx, deviceId(ctx), issuerHost),
        browserBinding: binding,
        userVisibleData: text,
        userVisibleDataFormat: text && markdown ? 'simpleMarkdownV1' : undefined,
        userNonVisibleData: sign?.tbsData ? Buffer.from(sign.tbsData, 'base64') : undefined,
        payment: payment && { userVisibleTransaction: payment.userVisibleTransaction, riskFlags: payment.riskFlags },
        requirement: personalNumber ? { ...settings.requirement, personalNumber } : settings.requirement,
        returnUrlFor: method === 'same_device' ? (nonce) => `${config.http.issuer}/interaction/${d.uid}/return?nonce=${nonce}` : undefined,
        mobile: detectDevice(ctx.get('user-agent')).mobile,
        requestId: ctx.state.requestId,
      });
    } catch (err) {
      // `error`, not `code`: the logger redacts `code` everywhere (an authorization code goes by that name).
      if (err instanceof BrokerError) deps.logger.warn({ err: err.message, cause: (err.cause as Error | undefined)?.message, error: err.code, clientId: c.clientId }, 'bankid order not started');
      throw err;
    }
    ctx.status = 303;
    ctx.redirect(`/interaction/${d.uid}${typeof ctx.query.lang === 'string' ? `?lang=${encodeURIComponent(ctx.query.lang)}` : ''}`);
  };
};
