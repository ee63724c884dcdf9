/** Cancels an order at BankID so it never blocks the person's next login; a failure is only logged. */
import type { Logger } from '../observability/logger.ts';
import type { BankIdConnections } from './connections.ts';

/** Through the certificate that started the order: BankID knows the order by no other. */
export async function cancelAtBankId(bankid: Pick<BankIdConnections, 'forCertificate'>, logger: Logger, order: { orderRef: string; rpCertificate: string; orderId?: string }): Promise<void> {
  try {
    await (await bankid.forCertificate(order.rpCertificate)).cancel(order.orderRef);
  } catch (err) {
    // Already finished or unknown at BankID: nothing dangles, which is all cancel is for.
    logger.warn({ orderId: order.orderId, err: (err as Error).message }, 'bankid cancel failed');
  }
}
