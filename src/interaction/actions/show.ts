/**
 * GET /interaction/:uid — the page of a login in progress: the consent question, the choice of start method, or
 * the running order (QR, app link, BankID's message); a completed order finishes the login, a payment BankID blocked
 * for its risk ends it.
 */
import { detectDevice, launchUrl } from '../../bankid/launch.ts';
import { BrokerError } from '../../errors/catalogue.ts';
import { textsFor, type Locale } from '../../i18n/texts.ts';
import { plainTextToHtml, simpleMarkdownToHtml } from '../../http/simple-markdown.ts';
import { scriptNonce } from '../../http/csp.ts';
import { renderPage } from '../../http/views.ts';
import { requiredPersonOf } from '../../oidc/claims-request.ts';
import { loginSettings } from '../../oidc/client-settings.ts';
import type { LoginOrderResult } from '../../oidc/login-binding.ts';
import { paymentRequestOf, type PaymentRequest } from '../../oidc/payment-request.ts';
import { signRequestOf } from '../../oidc/sign-request.ts';
import { messageFor } from '../../oidc/user-message.ts';
import { browserBinding, csrfToken, deviceId } from '../browser.ts';
import { clientOf, finish, interactionOf, localeOf, urls, type Action } from '../context.ts';
import { messageForState } from '../messages.ts';
import { qrImageUrl } from '../qr-image.ts';

export const showPage: Action = (deps) => async (ctx) => {
  const { config, orders } = deps;
  const d = interactionOf(ctx);
  const c = clientOf(ctx);
  const locale = localeOf(ctx);
  const t = textsFor(locale);
  const uid = d.uid;
  const sign = signRequestOf(d.params);
  const payment = paymentRequestOf(d.params);
  const required = requiredPersonOf(d.params);
  const common = {
    ...urls(uid, locale),
    clientName: c.clientName ?? c.clientId,
    csrf: csrfToken(deps.csrfSecret, uid, deviceId(ctx)),
    sign: sign && {
      kind: sign.kind,
      // Bound to a person, the text is shown only by that person's BankID app, after it checked who they are.
      textHtml: required ? undefined : textHtml(messageFor(sign.message, locale), sign.message.mimeType),
    },
    // The same for a payment: what is approved is shown here only when anyone may approve it.
    payment: payment && { shown: required ? undefined : paymentView(payment, locale) },
  };
  const title = payment ? t.paymentTitle : sign ? t.signTitle : t.title;
  const page = { locale, title, otherLanguageHref: `/interaction/${uid}?lang=${locale === 'sv' ? 'en' : 'sv'}` };

  if (d.prompt.name === 'consent') {
    const scopes = String(d.params.scope ?? 'openid').split(' ').filter(Boolean).map((s) => t.scopes[s] ?? s);
    const consentTitle = payment ? t.paymentConsentTitle : sign ? t.signConsentTitle : t.consentTitle;
    ctx.body = renderPage('interaction/consent', { ...page, title: consentTitle }, { ...common, scopes });
    return;
  }

  const device = detectDevice(ctx.get('user-agent'));
  const settings = loginSettings(c);
  const allowed = settings.startMethods;
  const rendered = await orders.render(uid, browserBinding(ctx));
  if (!rendered) {
    // The tenant's policy may since have narrowed away every method the client offered.
    if (!allowed.length) throw new BrokerError('start_method_not_allowed', `no start method of ${c.clientId} is allowed by its tenant`);
    // Start with what fits the device; the other method stays one click away.
    const methods = [...allowed].sort((a) => ((a === 'same_device') === device.mobile ? -1 : 1));
    ctx.body = renderPage('interaction/login', page, { ...common, view: 'choose', methods });
    return;
  }
  const { state, page: pageNumber } = rendered;
  if (state.state === 'complete') {
    // BankID enforces requirement.personalNumber; checking again means a wrong person never reaches the client.
    if (required && required !== state.completion.user.personalNumber) {
      deps.logger.warn({ clientId: c.clientId, orderId: state.orderId }, 'bankid completion for another person than the client asked for');
      await finish(deps, ctx, { error: 'access_denied', error_description: 'The person who identified is not the person the service asked for.' });
      return;
    }
    const result: LoginOrderResult = { order: sign || payment ? { id: state.orderId, sign: true } : { id: state.orderId } };
    // Never a persistent session cookie; a signature's or payment's login also serves no other request (oidc/policy.ts).
    await finish(deps, ctx, { ...result, login: { accountId: state.subject, acr: settings.acr, amr: ['mfa'], ts: Math.floor(state.completedAt.getTime() / 1000), remember: false } });
    return;
  }
  if (state.state === 'failed' && state.hintCode === 'transactionRiskBlocked') {
    // BankID's risk assessment stopped the payment: trying again cannot help, so the client hears of it at once.
    await finish(deps, ctx, { error: 'access_denied', error_description: 'BankID blocked the payment because it judged the risk too high (transactionRiskBlocked).' });
    return;
  }
  const switchTo = allowed.find((m) => m !== state.startMethod);
  const launch = state.state === 'pending' && state.autoStartToken
    ? launchUrl({ autoStartToken: state.autoStartToken, userAgent: ctx.get('user-agent'), returnUrl: `${config.http.issuer}/interaction/${uid}` })
    : undefined;
  const pending = state.state === 'pending';
  ctx.body = renderPage('interaction/login', { ...page, refreshSeconds: pending ? (state.startMethod === 'qr' ? 1 : 2) : undefined, script: { src: '/assets/login.js', nonce: scriptNonce(ctx) } }, {
    ...common,
    view: 'order',
    page: pageNumber,
    state: state.state,
    method: state.startMethod,
    hintCode: state.hintCode,
    message: messageForState(state, device.mobile, locale),
    // The string only: the page script draws it, and a page without JavaScript shows it as an image from its URL.
    qr: pending ? state.qr : undefined,
    qrImageUrl: pending && state.qr ? qrImageUrl(deps.csrfSecret, uid, state.qr) : undefined,
    launch,
    switchTo,
  });
};

/** The text being signed as the BankID app will show it: simpleMarkdownV1 for markdown, else plain lines. */
function textHtml(text: string, mimeType: string): string {
  return mimeType === 'text/markdown' ? simpleMarkdownToHtml(text) : plainTextToHtml(text);
}

/** What the page shows of a payment: recipient, amount, BankID's risk warning and the client's text (escaped by the view). */
function paymentView(payment: PaymentRequest, locale: Locale) {
  const { userVisibleTransaction: transaction, message } = payment;
  return {
    recipient: transaction.recipient.name,
    amount: transaction.money && `${transaction.money.amount} ${transaction.money.currency}`,
    riskWarning: transaction.riskWarning,
    textHtml: message && textHtml(messageFor(message, locale), message.mimeType),
  };
}
