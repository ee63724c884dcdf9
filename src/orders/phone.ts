/**
 * Phone orders (BankID /phone/auth and /phone/sign): someone at the service is on a call with the person, who
 * identifies or signs in the BankID app. Started for a CIBA request (src/oidc/ciba.ts) with the tenant's certificate,
 * then collected like every order by the collector of whichever replica claims it. No page watches a phone order, so
 * the janitor leaves it alone: BankID ends one nobody answers.
 */
import { randomUUID } from 'node:crypto';
import type { PhoneRequirement, PhoneSignRequest } from '../bankid/types.ts';
import { sentDataDigest } from '../bankid/verification/index.ts';
import type { DomainEvents } from '../events/emitter.ts';
import { startError } from './flow.ts';
import { keepOrder, type KeepOrderDeps } from './keep-order.ts';
import type { BankIdConnections } from './connections.ts';

export interface StartPhoneOrder {
  /** An identification, or a signature (which needs `userVisibleData`). */
  operation: 'phone_auth' | 'phone_sign';
  /** The CIBA request the order answers. */
  cibaRequestId: string;
  clientId: string;
  /** The person BankID asks; only their BankID can complete the order. */
  personalNumber: string;
  /** Who made the call: the person (`user`) or the service (`RP`). */
  callInitiator: 'user' | 'RP';
  userVisibleData?: string;
  userVisibleDataFormat?: 'simpleMarkdownV1';
  /** Signed but not shown (a signature's data to be signed). */
  userNonVisibleData?: Uint8Array;
  requirement?: PhoneRequirement;
}

export interface PhoneOrderOptions extends KeepOrderDeps {
  bankid: BankIdConnections;
  events: DomainEvents;
}

export class PhoneOrders {
  readonly #o: PhoneOrderOptions;

  constructor(options: PhoneOrderOptions) {
    this.#o = options;
  }

  async start(request: StartPhoneOrder): Promise<{ orderId: string }> {
    const { api, rpCertificate } = await this.#o.bankid.forClient(request.clientId);
    const fields = {
      personalNumber: request.personalNumber,
      callInitiator: request.callInitiator,
      requirement: request.requirement,
      userVisibleData: request.userVisibleData,
      userVisibleDataFormat: request.userVisibleData ? request.userVisibleDataFormat : undefined,
      userNonVisibleData: request.userNonVisibleData,
    };
    let response;
    try {
      // The client refuses a signature without userVisibleData (a request error, not BankID's).
      response = request.operation === 'phone_sign' ? await api.phoneSign(fields as PhoneSignRequest) : await api.phoneAuth(fields);
    } catch (err) {
      throw startError(err, { startMethod: 'phone', mobile: false });
    }
    const orderId = randomUUID();
    await keepOrder(this.#o, {
      id: orderId,
      orderRef: response.orderRef,
      operation: request.operation,
      startMethod: 'phone',
      rpCertificate,
      clientId: request.clientId,
      cibaRequestId: request.cibaRequestId,
      sentDataDigest: sentDataDigest({ userVisibleData: request.userVisibleData, userNonVisibleData: request.userNonVisibleData }),
    });
    this.#o.events.emit('order.started', { orderId, clientId: request.clientId, startMethod: 'phone', rpCertificate });
    return { orderId };
  }
}
