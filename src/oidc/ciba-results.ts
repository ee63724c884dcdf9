/**
 * Answers a CIBA request when its phone order ends, in the process whose collector ended it: any replica, as the
 * request is found through the order's row and oidc-provider keeps it in the shared database. A completed order becomes
 * a grant of the requested scopes and claims, bound to the order like a login's code (the claims come from this order
 * only); the person cancelling or declining the call is `access_denied`, an order that expired `expired_token`.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type Provider from 'oidc-provider';
import { errors, type BackchannelAuthenticationRequest } from 'oidc-provider';
import type { DomainEvents } from '../events/emitter.ts';
import type { OrderEvent } from '../events/types.ts';
import type { Logger } from '../observability/logger.ts';
import type { LoginRepository } from '../storage/logins.ts';
import type { OrderRepository, OrderRow } from '../storage/orders.ts';
import { CIBA_REQUEST_TTL_S } from './ciba.ts';
import { loginSettings } from './client-settings.ts';

export interface CibaResultDeps {
  events: DomainEvents;
  orders: Pick<OrderRepository, 'byIds' | 'unansweredPhoneOrders'>;
  logins: Pick<LoginRepository, 'bindGrantToOrder'>;
  /** The current provider (it is rebuilt when the signing keys change). */
  provider: () => Provider;
  logger: Logger;
}

/** How close() waits for answers being written. */
const CLOSE_WAIT_MS = 5000;
/** An ended order's own process answers within moments; one unanswered this long after was left by a stopped one. */
const SETTLE_S = 5;

/** Every end of an order: the collector emits one of these once, where it wrote the end. */
const ENDS = ['order.completed', 'order.failed', 'order.cancelled', 'order.expired'] as const;

/** Why a phone order that did not complete gives the client no tokens, as the CIBA token error. */
function refusal(row: OrderRow): errors.OIDCProviderError {
  if (row.hint_code === 'expiredTransaction') return new errors.ExpiredToken('the BankID order expired before the person answered it');
  if (row.hint_code === 'userDeclinedCall') return new errors.AccessDenied('the person said in the BankID app that they are not on a call with the service');
  if (row.hint_code === 'userCancel' || row.status === 'cancelled') return new errors.AccessDenied('the BankID order was cancelled');
  return new errors.AccessDenied(`the BankID order failed (${row.error_code ?? row.hint_code ?? 'unknown reason'})`);
}

export class CibaResults {
  readonly #d: CibaResultDeps;
  readonly #running = new Set<Promise<void>>();
  readonly #unsubscribe: (() => void)[];

  constructor(deps: CibaResultDeps) {
    this.#d = deps;
    const ended = (event: OrderEvent) => {
      if (event.startMethod === 'phone') this.#background(event.orderId);
    };
    this.#unsubscribe = ENDS.map((name) => deps.events.on(name, ended));
  }

  /** Writes the answer of the CIBA request this finished phone order was started for. */
  async #answer(orderId: string): Promise<void> {
    const [row] = await this.#d.orders.byIds([orderId]);
    if (!row?.ciba_request_id || row.status === 'pending') return;
    const provider = this.#d.provider();
    const request = await provider.BackchannelAuthenticationRequest.find(row.ciba_request_id, { ignoreExpiration: true });
    if (!request) {
      this.#d.logger.warn({ orderId }, 'the CIBA request of a finished phone order is gone; nothing to answer');
      return;
    }
    // Answered already (by the sweep or the event): saving again would make a used request usable once more.
    if (request.grantId || request.error || request.consumed) return;
    if (row.status !== 'complete') {
      const error = refusal(row);
      // oidc-provider keeps a result's description under this name only: without it the client gets the code alone.
      request.errorDescription = error.error_description;
      await provider.backchannelResult(request, error);
      return;
    }
    // BankID's phone order is bound to the personal number; the check keeps a wrong person from ever getting tokens.
    if (row.subject !== request.accountId) {
      this.#d.logger.warn({ orderId }, 'phone order completed by another person than the CIBA request named');
      request.errorDescription = 'the person who identified is not the person the service asked for';
      await provider.backchannelResult(request, new errors.AccessDenied(request.errorDescription));
      return;
    }
    await this.#grant(provider, request, row);
  }

  /**
   * Answers the requests of phone orders whose process stopped before it answered them (the order janitor runs it on
   * every replica); returns how many.
   */
  async answerMissed(): Promise<number> {
    const orderIds = await this.#d.orders.unansweredPhoneOrders(SETTLE_S, CIBA_REQUEST_TTL_S);
    for (const orderId of orderIds) await this.#answer(orderId);
    return orderIds.length;
  }

  /** Stops listening and waits, bounded, for answers being written. */
  async close(): Promise<void> {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    await Promise.race([Promise.allSettled(this.#running), delay(CLOSE_WAIT_MS, undefined, { ref: false })]);
  }

  async #grant(provider: Provider, request: BackchannelAuthenticationRequest, row: OrderRow): Promise<void> {
    const client = await provider.Client.find(request.clientId!);
    if (!client) {
      this.#d.logger.warn({ orderId: row.id, clientId: request.clientId }, 'the client of a finished phone order is gone; nothing to answer');
      return;
    }
    const grant = new provider.Grant({ clientId: client.clientId, accountId: request.accountId! });
    grant.addOIDCScope(request.scope!);
    const claims = request.claims as { id_token?: Record<string, unknown>; userinfo?: Record<string, unknown> } | undefined;
    const named = [...Object.keys(claims?.id_token ?? {}), ...Object.keys(claims?.userinfo ?? {})];
    if (named.length) grant.addOIDCClaims(named);
    const grantId = await grant.save();
    // The tokens of this grant speak for this order, and only for it (account.ts finds the claims through it).
    await this.#d.logins.bindGrantToOrder(grantId, row.id);
    await provider.backchannelResult(request, grant, {
      acr: loginSettings(client).acr,
      amr: ['mfa'],
      authTime: Math.floor(row.completed_at!.getTime() / 1000),
    });
  }

  #background(orderId: string): void {
    const running: Promise<void> = this.#answer(orderId).catch((err: unknown) => {
      // The client polls until the request expires and then gets expired_token.
      this.#d.logger.error({ orderId, err: (err as Error).message }, 'answering the CIBA request of a phone order failed');
    }).finally(() => this.#running.delete(running));
    this.#running.add(running);
  }
}
