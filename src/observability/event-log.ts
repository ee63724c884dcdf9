/** The log lines of the domain events: one subscriber instead of strings at each place that changes state. */
import type { Logger } from './logger.ts';
import type { DomainEvents } from '../events/emitter.ts';

export function logDomainEvents(events: DomainEvents, logger: Logger): void {
  const orders = logger.child({ component: 'orders' });
  const logins = logger.child({ component: 'logins' });
  events.on('order.started', (e) => orders.info(e, 'bankid order started'));
  events.on('order.collected', (e) => orders.debug(e, 'bankid order hint changed'));
  // The account id is for the audit trail (audit-log.ts), not the log lines.
  events.on('order.completed', ({ subject: _subject, ...e }) => orders.info(e, 'bankid order complete'));
  events.on('order.failed', (e) => orders.info(e, 'bankid order failed'));
  events.on('order.cancelled', (e) => orders.info(e, 'bankid order cancelled'));
  events.on('order.expired', (e) => orders.info(e, 'bankid order expired'));
  events.on('login.id_token_issued', ({ subject: _subject, ...e }) => logins.info(e, 'id token issued'));
  events.on('login.consent_given', ({ subject: _subject, ...e }) => logins.info(e, 'consent given'));
  events.on('login.logout', ({ subject: _subject, ...e }) => logins.info(e, 'logged out'));
}
