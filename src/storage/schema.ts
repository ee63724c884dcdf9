/** Row types of every table, as Kysely sees them. One interface per table, named after it. */
import type { CancelledBy } from '../events/types.ts';
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
  subject: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  collect_lease_until: NullableTimestamp;
  last_seen_at: Timestamp;
  picked_up_at: NullableTimestamp;
  completed_at: NullableTimestamp;
  /** When the page's beacon said it went away (migration 0005). */
  left_at: NullableTimestamp;
  /** Consecutive collects without a usable answer (migration 0005). */
  collect_failures: Generated<number>;
  /** When the same-device return nonce was used; it is single-use (migration 0005). */
  return_used_at: NullableTimestamp;
  /** The broker session this completed order logged into. */
  session_uid: string | null;
  /** Collects so far, counted by each claim (migration 0014). */
  collects: Generated<number>;
  /** Digest of the texts sent to BankID, checked against the completion's signature (migration 0016). */
  sent_data_digest: string | null;
  /** A payment order's transaction as sent to BankID (migration 0020). */
  payment: JSONColumnType<Record<string, unknown>> | null;
  /** The request that started it, for the audit records of its end (migration 0018). */
  request_id: string | null;
  /** The CIBA request (oidc-provider's BackchannelAuthenticationRequest) a phone order answers (migration 0017). */
  ciba_request_id: string | null;
  /** Renders of the order's page; a leave beacon names the one it left (migration 0021). */
  page_renders: Generated<number>;
}

/** One row per finished BankID order (migration 0014): append-only, no personal data but a keyed hash of the person. */
export interface UsageLedgerTable {
  order_id: string;
  tenant_id: string;
  client_id: string | null;
  rp_certificate: string;
  operation: string;
  start_method: string;
  outcome: 'complete' | 'failed' | 'cancelled' | 'expired';
  hint_code: string | null;
  error_code: string | null;
  cancelled_by: CancelledBy | null;
  started_at: Timestamp;
  finished_at: Timestamp;
  duration_ms: number;
  collects: number;
  risk: string | null;
  person_key: string | null;
}

/** What the retention fold keeps of old ledger rows: counts per tenant day and kind (migration 0014). */
export interface UsageDailyTotalsTable {
  tenant_id: string;
  day: ColumnType<string, string, string>;
  /** '' for orders without a client. */
  client_id: string;
  rp_certificate: string;
  operation: string;
  start_method: string;
  outcome: string;
  /** The error code, else the hint code, of a failed order; '' otherwise. */
  reason: string;
  cancelled_by: string;
  orders: number;
}

/** A tenant's price per billable transaction from a day on (migration 0014). */
export interface TenantTariffsTable {
  tenant_id: string;
  valid_from: ColumnType<string, string, string>;
  price: ColumnType<string, string, string>;
  currency: string;
}

/** The order behind each grant: the login whose claims that grant's tokens carry. */
export interface LoginGrantsTable {
  grant_id: string;
  order_id: string;
  created_at: Timestamp;
}

/** Every oidc-provider model (Session, Interaction, Grant, AuthorizationCode, AccessToken, ...), one row per entity. */
export interface OidcPayloadTable {
  model: string;
  id: string;
  payload: JSONColumnType<Record<string, unknown>>;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  expires_at: NullableTimestamp;
  consumed_at: NullableTimestamp;
}

/** Signing keys shared by all replicas; the private JWK is sealed with ENCRYPTION_KEY. */
export interface SigningKeysTable {
  kid: string;
  alg: 'ES256' | 'RS256';
  sealed_jwk: string;
  created_at: Timestamp;
  /** Published from creation; signs from this moment (after every replica has had time to publish it). */
  use_from: Timestamp;
  /** Set when a newer key took over; the key stays published until every token it signed has expired. */
  retired_at: NullableTimestamp;
}

/** Broker-wide secrets generated on first start (cookie keys, DPoP nonce secret), sealed with ENCRYPTION_KEY. */
export interface BrokerSecretsTable {
  name: string;
  sealed_value: string;
  created_at: Timestamp;
}

/** Registered OIDC clients: standard metadata plus Brygga's settings; the secret is sealed. */
export interface ClientsTable {
  client_id: string;
  sealed_secret: string | null;
  metadata: JSONColumnType<Record<string, unknown>>;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** The tenant the client belongs to (migration 0010); `default` unless given. */
  tenant_id: Generated<string>;
  /** After a secret rotation: the old secret, still accepted until `previous_secret_expires_at` (migration 0011). */
  sealed_previous_secret: string | null;
  previous_secret_expires_at: NullableTimestamp;
}

/** One row per change made through the admin API (migration 0011); never holds a secret. */
export interface AdminAuditTable {
  id: Generated<string>;
  at: Generated<Date>;
  /** The admin client's id, `bootstrap`, or a console user's handle. */
  actor: string;
  tenant_id: string | null;
  action: string;
  object_type: string;
  object_id: string;
  before: JSONColumnType<Record<string, unknown>> | null;
  after: JSONColumnType<Record<string, unknown>> | null;
  request_id: string | null;
}

/** Organisations with their own BankID agreement (migration 0010). */
export interface TenantsTable {
  id: string;
  name_sv: string;
  name_en: string;
  organisation_number: string | null;
  contacts: JSONColumnType<{ name?: string; email?: string; phone?: string }[], string | undefined, string>;
  /** Null for the default tenant: it follows BANKID_ENV. */
  bankid_environment: 'production' | 'test' | 'simulator' | null;
  policy: JSONColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** The time zone of the tenant's usage reports (migration 0014). */
  time_zone: Generated<string>;
  /** Operations whose completed orders are billable (migration 0014); auth and sign unless the contract differs. */
  billable_operations: Generated<string[]>;
}

/** Relying-party certificates per tenant (migration 0010); the private key is sealed with ENCRYPTION_KEY. */
export interface RpCertificatesTable {
  fingerprint: string;
  tenant_id: string;
  state: 'staged' | 'active' | 'retired';
  environment: 'production' | 'test' | 'simulator';
  subject: string;
  issuer: string;
  serial_number: string;
  not_before: Timestamp;
  not_after: Timestamp;
  cert_pem: string;
  sealed_key: string;
  created_at: Timestamp;
  activated_at: NullableTimestamp;
  retired_at: NullableTimestamp;
}

/** Who may register clients in which tenant (migration 0013): one row per oidc-provider InitialAccessToken. */
export interface InitialAccessTokensTable {
  /** Public id, shown in lists and written to the audit trail as the registrations' actor (never the token). */
  id: string;
  token_model: Generated<'InitialAccessToken'>;
  /** The token (oidc_payload id); its row there decides validity, and deleting it deletes this one. */
  token_id: string;
  tenant_id: string;
  created_by: string;
  created_at: Generated<Date>;
}

/** Admins of the console (migration 0012): the personal number only as a keyed hash. */
export interface AdminsTable {
  id: string;
  personal_number_hash: string;
  display_name: string;
  role: 'broker_admin' | 'tenant_admin' | 'tenant_auditor';
  /** Null for a broker admin. */
  tenant_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** The admin console's server-side sessions (migration 0015); the cookie holds only the id. */
export interface ConsoleSessionsTable {
  id: string;
  csrf: string;
  /** The admins rows the person signed in as; null before the BankID sign-in completes. */
  admin_ids: JSONColumnType<string[]> | null;
  display_name: string | null;
  /** The last BankID sign-in (re-authentication is asked for when it is too old). */
  authenticated_at: NullableTimestamp;
  pending: JSONColumnType<Record<string, string>> | null;
  /** A change's form fields kept over a re-authentication. */
  draft: JSONColumnType<Record<string, string>> | null;
  last_seen_at: Timestamp;
  created_at: Generated<Date>;
}

export interface Database {
  bankid_orders: BankIdOrdersTable;
  oidc_payload: OidcPayloadTable;
  signing_keys: SigningKeysTable;
  broker_secrets: BrokerSecretsTable;
  clients: ClientsTable;
  login_grants: LoginGrantsTable;
  admin_audit: AdminAuditTable;
  tenants: TenantsTable;
  rp_certificates: RpCertificatesTable;
  initial_access_tokens: InitialAccessTokensTable;
  admins: AdminsTable;
  console_sessions: ConsoleSessionsTable;
  usage_ledger: UsageLedgerTable;
  usage_daily_totals: UsageDailyTotalsTable;
  tenant_tariffs: TenantTariffsTable;
}
