/**
 * The checks an uploaded PKCS#12 passes before it is staged: it opens with the passphrase, the key belongs to the
 * certificate, it is valid now, its issuer is an RP CA of the tenant's BankID environment, and BankID itself
 * accepts it: a collect of an order that cannot exist must be answered `invalidParameters` (the certificate got
 * in and was understood), not `unauthorized` (BankID does not know it, or revoked it).
 */
import { randomUUID } from 'node:crypto';
import { loadRpCertificate, type RpCertificate } from '../bankid/certificate.ts';
import { BankIdClient, type BankIdClientOptions } from '../bankid/client.ts';
import { environmentOfIssuer, type BankIdEnvironment } from '../bankid/environments.ts';
import { BankIdError, CertificateError, InvalidParametersError, UnauthorizedError } from '../bankid/errors.ts';
import { releaseAgent } from '../bankid/transport.ts';
import type { Endpoints } from './connections.ts';
import { CertificateRejectedError } from './errors.ts';

export interface Upload {
  pkcs12: Buffer;
  passphrase: string;
  /** The tenant's environment: the certificate must belong to it. */
  environment: BankIdEnvironment;
}

export interface UploadChecks {
  endpoints: Endpoints;
  client: Omit<BankIdClientOptions, 'baseUrl' | 'certificate' | 'caPem'>;
  now?: Date;
}

function open(upload: Upload, now: Date | undefined): RpCertificate {
  try {
    return loadRpCertificate({ pkcs12: upload.pkcs12, passphrase: upload.passphrase }, { now });
  } catch (err) {
    if (err instanceof CertificateError) throw new CertificateRejectedError(err.reason, err.message, { cause: err });
    throw err;
  }
}

/** Asks BankID about an order that cannot exist, with this certificate. */
async function probe(certificate: RpCertificate, environment: BankIdEnvironment, checks: UploadChecks): Promise<void> {
  const endpoint = checks.endpoints[environment];
  if (!endpoint) throw new CertificateRejectedError('bankid-unreachable', `This broker has no connection to BankID ${environment}, so the certificate cannot be checked there.`);
  const api = new BankIdClient({ ...checks.client, maintenanceRetries: 0, baseUrl: endpoint.baseUrl, caPem: endpoint.caPem, certificate });
  try {
    await api.collect(randomUUID());
    throw new CertificateRejectedError('refused-by-bankid', 'BankID answered a collect of an order that cannot exist as if it did: this is not BankID\'s RP API.');
  } catch (err) {
    if (err instanceof InvalidParametersError) return;
    if (err instanceof CertificateRejectedError) throw err;
    if (err instanceof UnauthorizedError) {
      throw new CertificateRejectedError('refused-by-bankid', `BankID does not accept this certificate (${err.status} unauthorized${err.details ? `: ${err.details}` : ''}). Ask your bank whether it is registered for your agreement.`, { cause: err });
    }
    if (err instanceof BankIdError) throw new CertificateRejectedError('refused-by-bankid', `BankID answered the check with ${err.status} ${err.errorCode}; try again later.`, { cause: err });
    throw new CertificateRejectedError('bankid-unreachable', `BankID could not be asked whether it accepts the certificate: ${(err as Error).message}.`, { cause: err });
  } finally {
    // The check's connection is not kept: a staged certificate makes no calls until it is activated.
    releaseAgent(certificate);
  }
}

/** The certificate, once every check has passed; a CertificateRejectedError with the reason otherwise. */
export async function checkUpload(upload: Upload, checks: UploadChecks): Promise<RpCertificate> {
  const certificate = open(upload, checks.now);
  const environment = environmentOfIssuer(certificate.issuer);
  if (!environment) {
    throw new CertificateRejectedError('unknown-issuer', `The certificate is issued by "${certificate.issuer}", which is not a BankID RP CA (production, test or the simulator's).`);
  }
  if (environment !== upload.environment) {
    throw new CertificateRejectedError('wrong-environment', `The certificate is for BankID ${environment} (issuer "${certificate.issuer}"), but the tenant uses BankID ${upload.environment}.`);
  }
  await probe(certificate, environment, checks);
  return certificate;
}
