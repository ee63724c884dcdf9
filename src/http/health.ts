/**
 * Probes for an orchestrator or load balancer. /healthz is liveness: the process answers, nothing else is asked
 * (restarting it would not bring a database back). /readyz is readiness: the database answers within a bounded
 * wait and the BankID relying-party certificate from the settings is valid, i.e. this replica can run a login.
 * Certificates (any tenant's) near or past expiry are listed as warnings: they never make a replica unready, since
 * restarting or removing it would not renew them, and one tenant's certificate must not stop every tenant's logins.
 */
import Router from '@koa/router';

export interface Readiness {
  /** Resolves when the database answers (within its own bound); rejects with the reason. */
  checkDatabase(): Promise<void>;
  /** The BankID relying-party certificate from the settings (the default tenant's). */
  certificate(): { notAfter: Date };
  /** Certificates within an expiry threshold (60/30/14/7 days) or expired, from the last expiry check. */
  certificateWarnings?(): { tenantId: string; fingerprint: string; subject: string; state: string; notAfter: Date; daysLeft: number; level: number | 'expired' }[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function healthRoutes(readiness: Readiness, now: () => Date = () => new Date()): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.set('cache-control', 'no-store');
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const database = await readiness.checkDatabase().then(
      () => ({ ok: true }),
      (err: Error) => ({ ok: false, reason: err.message }),
    );
    const { notAfter } = readiness.certificate();
    const at = now();
    const bankidCertificate = {
      ok: notAfter > at,
      notAfter: notAfter.toISOString(),
      daysLeft: Math.trunc((notAfter.getTime() - at.getTime()) / DAY_MS), // negative: days since it expired
      ...(notAfter > at ? {} : { reason: 'the BankID relying-party certificate has expired' }),
    };
    const ready = database.ok && bankidCertificate.ok;
    const warnings = readiness.certificateWarnings?.().map((w) => ({ ...w, notAfter: w.notAfter.toISOString() }));
    ctx.set('cache-control', 'no-store');
    ctx.status = ready ? 200 : 503;
    ctx.body = {
      status: ready ? 'ready' : 'not ready',
      checks: { database, bankidCertificate, ...(warnings ? { bankidCertificates: { ok: true, warnings } } : {}) },
    };
  });
  return router;
}
