/** A tenant's BankID RP certificates in the admin API: the upload, and what is shown (never the key). */
import { z } from 'zod';
import { WARNING_DAYS } from '../../certificates/expiry.ts';

export const certificateUpload = z.object({
  pkcs12: z.base64().max(48_000).describe('The PKCS#12 (.p12/.pfx) file from the bank, base64.'),
  passphrase: z.string().max(1024).describe('Its passphrase; used for the checks and never stored (the key is kept encrypted).'),
}).strict();

export const certificate = z.object({
  fingerprint: z.string().describe('SHA-256 of the certificate, hex.'),
  tenant_id: z.string(),
  state: z.enum(['staged', 'active', 'retired']),
  environment: z.enum(['production', 'test', 'simulator']),
  subject: z.string(),
  issuer: z.string(),
  serial_number: z.string(),
  not_before: z.string(),
  not_after: z.string(),
  days_left: z.number().int().describe('Whole days until not_after; negative once expired.'),
  expiry_warning: z.union([...WARNING_DAYS.map((d) => z.literal(d)), z.literal('expired')]).nullable()
    .describe(`The warning threshold it is within (${WARNING_DAYS.join(', ')} days) or \`expired\`; null while it has time.`),
  created_at: z.string(),
  activated_at: z.string().nullable(),
  retired_at: z.string().nullable(),
});

export const certificateList = z.object({ items: z.array(certificate).describe('The active certificate first, then newest first.') });

export type CertificateUpload = z.output<typeof certificateUpload>;
