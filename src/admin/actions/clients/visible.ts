/** A client the caller may see, or 404: another tenant's client is "not found", never "forbidden". */
import { BrokerError } from '../../../errors/catalogue.ts';
import type { AdminClientRow } from '../../../storage/client-admin.ts';
import type { Db } from '../../../storage/database.ts';
import type { AdminDeps } from '../../context.ts';
import type { Principal } from '../../principal.ts';

export async function visibleClient(deps: AdminDeps, db: Db, principal: Principal, clientId: string, lock = false): Promise<AdminClientRow> {
  const row = await deps.clients.get(db, clientId, principal.tenants, lock);
  if (!row) throw new BrokerError('admin_not_found', `no client ${clientId} for ${principal.actor}`);
  return row;
}
