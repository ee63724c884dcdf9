/** Row types of every table, as Kysely sees them. One interface per table, named after it. */
import type { ColumnType, Generated, JSONColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface BankIdOrdersTable {
  id: string;
  order_ref: string;
  operation: 'auth' | 'sign' | 'payment' | 'phone_auth' | 'phone_sign';
  start_method: 'qr' | 'same_device' | 'phone';
  rp_certificate: string;
  client_id: string | null;
  interaction_id: string | null;
  browser_binding: string | null;
  return_nonce: string | null;
  qr_start_token: string | null;
  qr_start_secret: string | null;
  auto_start_token: string | null;
  status: Generated<'pending' | 'complete' | 'failed' | 'cancelled'>;
  hint_code: string | null;
  error_code: string | null;
  completion: JSONColumnType<Record<string, unknown>> | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  collect_lease_until: NullableTimestamp;
  last_seen_at: Timestamp;
  picked_up_at: NullableTimestamp;
  completed_at: NullableTimestamp;
}

export interface Database {
  bankid_orders: BankIdOrdersTable;
}
