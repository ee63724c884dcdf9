/** An order as its domain events name it (events/types.ts). */
import type { OrderEvent } from '../events/types.ts';
import type { OrderRow } from '../storage/orders.ts';

export const orderEvent = (row: Pick<OrderRow, 'id' | 'client_id' | 'start_method'>): OrderEvent => ({ orderId: row.id, clientId: row.client_id, startMethod: row.start_method });
