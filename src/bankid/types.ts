/**
 * BankID RP API v6.0 request and response shapes (see shared rp-api-v6.md §2–§4).
 * These are the wire types: the client and the simulator both speak exactly these.
 */

export const PENDING_HINT_CODES = ['outstandingTransaction', 'noClient', 'started', 'userMrtd', 'userCallConfirm', 'userSign'] as const;
export const FAILED_HINT_CODES = [
  'expiredTransaction', 'certificateErr', 'userCancel', 'cancelled', 'startFailed', 'userDeclinedCall',
  'notSupportedByUserApp', 'transactionRiskBlocked',
] as const;
export const ERROR_CODES = [
  'alreadyInProgress', 'invalidParameters', 'unauthorized', 'notFound', 'methodNotAllowed', 'requestTimeout',
  'unsupportedMediaType', 'internalError', 'maintenance',
] as const;

export type PendingHintCode = (typeof PENDING_HINT_CODES)[number];
export type FailedHintCode = (typeof FAILED_HINT_CODES)[number];
export type KnownErrorCode = (typeof ERROR_CODES)[number];
/** BankID adds codes without notice: unknown ones are kept as plain strings, never a crash. */
export type HintCode = PendingHintCode | FailedHintCode | (string & {});
export type ErrorCode = KnownErrorCode | (string & {});

export type Operation = 'auth' | 'sign' | 'payment' | 'phoneAuth' | 'phoneSign';

export interface Requirement {
  pinCode?: boolean;
  mrtd?: boolean;
  cardReader?: 'class1' | 'class2';
  certificatePolicies?: string[];
  personalNumber?: string;
}

export interface PhoneRequirement {
  pinCode?: boolean;
  cardReader?: 'class1' | 'class2';
  certificatePolicies?: string[];
}

export interface WebDeviceData {
  /** The domain that launches the app, 3–253 characters (punycode for IDN). */
  referringDomain: string;
  /** The browser's User-Agent; the client truncates it to 256 characters. */
  userAgent: string;
  /** Stable per browser, never the session cookie; 1–64 characters. */
  deviceIdentifier: string;
}

export interface AppDeviceData {
  appIdentifier: string;
  deviceOS: string;
  deviceModelName: string;
  deviceIdentifier: string;
}

/** Request fields shared by auth, sign and payment. Texts are plain strings; the client base64-encodes them. */
export interface OrderRequestBase {
  endUserIp: string;
  requirement?: Requirement;
  userVisibleData?: string;
  userVisibleDataFormat?: 'simpleMarkdownV1';
  userNonVisibleData?: string | Uint8Array;
  returnUrl?: string;
  returnRisk?: boolean;
  web?: WebDeviceData;
  app?: AppDeviceData;
}

export type AuthRequest = OrderRequestBase;
export interface SignRequest extends OrderRequestBase { userVisibleData: string }

/** `riskFlags` of a payment (rp-api-v6.md §2.3): what the RP knows that makes a payment risky. */
export const RISK_FLAGS = [
  'newCard', 'newCustomer', 'newRecipient', 'highRiskRecipient', 'largeAmount', 'foreignCurrency',
  'cryptoCurrencyPurchase', 'moneyTransfer', 'overseasTransaction', 'recurringPayment', 'suspiciousPaymentPattern', 'other',
] as const;
export type RiskFlag = (typeof RISK_FLAGS)[number];

export interface UserVisibleTransaction {
  transactionType: 'card' | 'npa';
  recipient: { name: string };
  money?: { amount: string; currency: string };
  riskWarning?: string;
}

export interface PaymentRequest extends OrderRequestBase {
  userVisibleTransaction: UserVisibleTransaction;
  riskFlags?: RiskFlag[];
}

export interface PhoneRequestBase {
  personalNumber: string;
  callInitiator: 'user' | 'RP';
  requirement?: PhoneRequirement;
  userVisibleData?: string;
  userVisibleDataFormat?: 'simpleMarkdownV1';
  userNonVisibleData?: string | Uint8Array;
}
export type PhoneAuthRequest = PhoneRequestBase;
export interface PhoneSignRequest extends PhoneRequestBase { userVisibleData: string }

export interface OrderResponse {
  orderRef: string;
  autoStartToken: string;
  qrStartToken: string;
  qrStartSecret: string;
}

export interface PhoneOrderResponse {
  orderRef: string;
}

export interface CompletionData {
  user: { personalNumber: string; name: string; givenName: string; surname: string };
  device: { ipAddress: string; uhi?: string };
  bankIdIssueDate?: string;
  stepUp?: { mrtd: boolean };
  /** base64 XML-DSig document. */
  signature: string;
  /** base64 DER OCSP response. */
  ocspResponse: string;
  risk?: 'low' | 'moderate' | 'high';
}

export type CollectResponse =
  | { orderRef: string; status: 'pending'; hintCode: HintCode }
  | { orderRef: string; status: 'failed'; hintCode: HintCode }
  | { orderRef: string; status: 'complete'; completionData: CompletionData };

/** The error body BankID returns with every 4xx/5xx. */
export interface ErrorBody {
  errorCode: ErrorCode;
  details: string;
}

/** What the rest of Brygga needs from BankID; the HTTP client implements it, a decorator may wrap it. */
export interface BankIdApi {
  auth(request: AuthRequest, options?: CallOptions): Promise<OrderResponse>;
  sign(request: SignRequest, options?: CallOptions): Promise<OrderResponse>;
  payment(request: PaymentRequest, options?: CallOptions): Promise<OrderResponse>;
  phoneAuth(request: PhoneAuthRequest, options?: CallOptions): Promise<PhoneOrderResponse>;
  phoneSign(request: PhoneSignRequest, options?: CallOptions): Promise<PhoneOrderResponse>;
  collect(orderRef: string, options?: CallOptions): Promise<CollectResponse>;
  cancel(orderRef: string, options?: CallOptions): Promise<void>;
}

export interface CallOptions {
  /**
   * Bounds the whole call, maintenance retries and their backoff included (e.g. `AbortSignal.timeout(1500)` under a
   * 2 s lease). Once it aborts nothing more is sent and the call rejects with BankIdAbortedError.
   */
  signal?: AbortSignal;
}
