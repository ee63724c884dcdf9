/** Animated QR (rp-api-v6.md §6): `bankid.{qrStartToken}.{qrTime}.{hex(HMAC-SHA256(qrStartSecret, qrTime))}`. */
import { createHmac } from 'node:crypto';

export function qrAuthCode(qrStartSecret: string, qrTime: number): string {
  return createHmac('sha256', qrStartSecret).update(String(qrTime)).digest('hex');
}

/** Whole seconds since the order response was received (floored, as BankID's own sample does). */
export function qrTime(orderStartedAt: Date | number, now: Date | number = Date.now()): number {
  return Math.max(0, Math.floor((Number(now) - Number(orderStartedAt)) / 1000));
}

export function qrData(qrStartToken: string, qrStartSecret: string, seconds: number): string {
  return `bankid.${qrStartToken}.${seconds}.${qrAuthCode(qrStartSecret, seconds)}`;
}

export interface ParsedQr {
  qrStartToken: string;
  qrTime: number;
  qrAuthCode: string;
}

/** Splits a QR string; returns undefined when it is not of the BankID form. */
export function parseQr(text: string): ParsedQr | undefined {
  const match = /^bankid\.([0-9a-f-]{36})\.(\d{1,6})\.([0-9a-f]{64})$/.exec(text.trim());
  if (!match) return undefined;
  return { qrStartToken: match[1]!, qrTime: Number(match[2]), qrAuthCode: match[3]! };
}
