/**
 * What a fresh animated QR frame is made of, kept in memory for a watching page: the start token and secret and the
 * order's t0, with the offset between this process's clock and the database's (t0 is the database's `created_at`),
 * so every frame has the same clock basis as the status poll's. The secret never leaves the server.
 */
import { qrData, qrTime } from '../bankid/qr.ts';

export interface QrSource {
  startToken: string;
  startSecret: string;
  startedAt: Date;
  /** Database clock minus this process's clock, when the order was read. */
  clockOffsetMs: number;
}

export function qrSource(startToken: string, startSecret: string, startedAt: Date, dbNow: Date): QrSource {
  return { startToken, startSecret, startedAt, clockOffsetMs: dbNow.getTime() - Date.now() };
}

/** The frame's qrTime at local time `now`. */
export function qrTimeAt(source: QrSource, now = Date.now()): number {
  return qrTime(source.startedAt, now + source.clockOffsetMs);
}

export function qrFrame(source: QrSource, time: number): string {
  return qrData(source.startToken, source.startSecret, time);
}
