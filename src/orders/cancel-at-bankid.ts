/** Cancels an order at BankID so it never blocks the person's next login; a failure is only logged. */
import type { BankIdApi } from '../bankid/types.ts';
import type { Logger } from '../observability/logger.ts';

export async function cancelAtBankId(api: Pick<BankIdApi, 'cancel'>, logger: Logger, orderRef: string, orderId?: string): Promise<void> {
  try {
    await api.cancel(orderRef);
  } catch (err) {
    // Already finished or unknown at BankID: nothing dangles, which is all cancel is for.
    logger.warn({ orderId, err: (err as Error).message }, 'bankid cancel failed');
  }
}
