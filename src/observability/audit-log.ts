/**
 * The audit trail of logins: one structured record per end of a BankID order, failed verification of BankID's
 * result, ID token, consent and logout, fed by the domain events. A record names the tenant, client, order, request
 * and the pseudonymous account id (`subject`), never a personal number or a name. It is written as it happens, from
 * memory, so a login costs no statement more; changes through the admin API have their own trail in the database
 * (src/admin/change.ts).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { Writable } from 'node:stream';
import type { DomainEvents } from '../events/emitter.ts';
import type { DomainEventMap, OrderEvent } from '../events/types.ts';
import { createLogger, type Logger } from './logger.ts';

/** Where the records go: AUDIT_LOG_FILE (appended, JSON lines), else the log output beside the other lines. */
export interface AuditTrail {
  logger: Logger;
  close(): void;
}

/** The audit logger: at `info` whatever LOG_LEVEL says; every record carries `"audit":true`. */
export function auditTrail(log: { auditFile?: string }, logger: Logger): AuditTrail {
  if (!log.auditFile) return { logger: logger.child({ audit: true }, { level: 'info' }), close: () => {} };
  // Written synchronously: a record is in the file before the answer that it records goes out.
  const fd = openSync(log.auditFile, 'a');
  let open = true;
  const file = new Writable({
    write(chunk: Buffer, _encoding, done) {
      try {
        if (open) writeSync(fd, chunk);
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
  file.on('error', (err) => logger.error({ err: err.message, file: log.auditFile }, 'audit record not written'));
  const close = () => {
    open = false;
    closeSync(fd);
  };
  return { logger: createLogger({ level: 'info', format: 'json', destination: file }).child({ audit: true }), close };
}

type Outcome = 'complete' | 'failed' | 'unverified' | 'cancelled' | 'expired' | 'issued' | 'given' | 'logged_out';

/** The fields of an order event a record keeps (its start method is the metrics', not the trail's). */
const order = ({ orderId, clientId, tenantId, requestId }: OrderEvent) => ({ tenantId, clientId, orderId, requestId });

export function auditDomainEvents(events: DomainEvents, audit: Logger): void {
  const record = (event: string, outcome: Outcome, fields: object) => audit.info({ event, outcome, ...fields }, `audit: ${event} ${outcome}`);
  events.on('order.completed', (e) => record('order.completed', 'complete', { ...order(e), subject: e.subject }));
  events.on('order.failed', (e: DomainEventMap['order.failed']) => e.failedChecks
    ? record('order.result_unverified', 'unverified', { ...order(e), errorCode: e.errorCode, failedChecks: e.failedChecks })
    : record('order.failed', 'failed', { ...order(e), hintCode: e.hintCode, errorCode: e.errorCode }));
  events.on('order.cancelled', (e) => record('order.cancelled', 'cancelled', { ...order(e), cancelledBy: e.by }));
  events.on('order.expired', (e) => record('order.expired', 'expired', order(e)));
  events.on('login.id_token_issued', (e) => record('login.id_token_issued', 'issued', e));
  events.on('login.consent_given', (e) => record('login.consent_given', 'given', e));
  events.on('login.logout', (e) => record('login.logout', 'logged_out', e));
}
