/** A certificate as the admin API and its audit trail show it: public facts and state, never key material. */
import type { CertificateView } from '../certificates/service.ts';

export function certificateView(c: CertificateView): Record<string, unknown> {
  return {
    fingerprint: c.fingerprint,
    tenant_id: c.tenantId,
    state: c.state,
    environment: c.environment,
    subject: c.subject,
    issuer: c.issuer,
    serial_number: c.serialNumber,
    not_before: c.notBefore,
    not_after: c.notAfter,
    days_left: c.daysLeft,
    expiry_warning: c.expiry ?? null,
    created_at: c.createdAt,
    activated_at: c.activatedAt ?? null,
    retired_at: c.retiredAt ?? null,
  };
}
