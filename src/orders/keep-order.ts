/** Stores an order BankID has started; one that cannot be kept is cancelled there, or it blocks the person's BankID. */
import { BrokerError } from '../errors/catalogue.ts';
import type { Logger } from '../observability/logger.ts';
import type { NewOrder, OrderRepository } from '../storage/orders.ts';
import { cancelAtBankId } from './cancel-at-bankid.ts';
import type { BankIdConnections } from './connections.ts';

export interface KeepOrderDeps {
  bankid: Pick<BankIdConnections, 'forCertificate'>;
  orders: OrderRepository;
  logger: Logger;
}

export async function keepOrder(deps: KeepOrderDeps, order: NewOrder): Promise<void> {
  try {
    await deps.orders.create(order);
  } catch (err) {
    deps.logger.error({ clientId: order.clientId, err: (err as Error).message }, 'bankid order could not be stored');
    await cancelAtBankId(deps.bankid, deps.logger, { orderRef: order.orderRef, rpCertificate: order.rpCertificate });
    throw new BrokerError('internal', 'the started order could not be stored', { cause: err });
  }
}
