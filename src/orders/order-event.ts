/** An order as its domain events name it (events/types.ts). */
import type { OrderEvent } from '../events/types.ts';
import type { OrderRow } from '../storage/orders.ts';

export const orderEvent = (row: Pick<OrderRow, 'id' | 'client_id' | 'start_method' | 'request_id'> & { tenant_id?: string | null }): OrderEvent => ({
  orderId: row.id,
  clientId: row.client_id,
  startMethod: row.start_method,
  ...(row.request_id ? { requestId: row.request_id } : {}),
  ...(row.tenant_id ? { tenantId: row.tenant_id } : {}),
});
