/**
 * Tenants as the admin API and the CLI use them: validated input (field errors, never half-written), the policy
 * clients inherit, and the check that keeps a client within it.
 */
import { BrokerError } from '../errors/catalogue.ts';
import { InputError, refuseIfAny, type FieldError } from '../errors/field-errors.ts';
import { clientSettings, type EffectiveSettings } from '../oidc/client-settings.ts';
import { DEFAULT_TENANT, TenantRepository, type Contact, type NewTenant, type TenantRecord } from '../storage/tenants.ts';
import type { Db } from '../storage/database.ts';
import { billableProblem, DEFAULT_BILLABLE, DEFAULT_TIME_ZONE, timeZoneProblem } from '../usage/settings.ts';
import { parseOrganisationNumber } from './organisation-number.ts';
import { effectiveSettings, policyProblems, wideningProblems, type TenantPolicy } from './policy.ts';

export interface TenantInput {
  id: string;
  name: { sv: string; en: string };
  organisationNumber?: string;
  contacts?: Contact[];
  bankidEnvironment?: 'production' | 'test' | 'simulator';
  policy?: TenantPolicy;
  /** The time zone of its usage reports; Europe/Stockholm when not given. */
  timeZone?: string;
  /** The operations its contract bills; identifications and signatures when not given. */
  billableOperations?: string[];
}

export interface Tenant extends Omit<TenantRecord, 'policy'> {
  policy: TenantPolicy;
}

const ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ENVIRONMENTS = new Set(['production', 'test', 'simulator']);

function text(value: unknown, field: string, errors: FieldError[]): string {
  if (typeof value !== 'string' || !value.trim() || value.length > 200) errors.push({ field, message: 'must be a text of 1 to 200 characters' });
  return typeof value === 'string' ? value.trim() : '';
}

function contactProblems(contacts: unknown): FieldError[] {
  if (!Array.isArray(contacts)) return [{ field: 'contacts', message: 'must be a list' }];
  return contacts.flatMap((c: unknown, i): FieldError[] => {
    const field = `contacts[${i}]`;
    if (typeof c !== 'object' || c === null) return [{ field, message: 'must be an object with name, email and/or phone' }];
    const { name, email, phone, ...rest } = c as Record<string, unknown>;
    const errors: FieldError[] = Object.keys(rest).map((k) => ({ field: `${field}.${k}`, message: 'is not a contact field (name, email, phone)' }));
    if (name === undefined && email === undefined && phone === undefined) errors.push({ field, message: 'needs a name, email or phone' });
    if (name !== undefined && (typeof name !== 'string' || !name.trim())) errors.push({ field: `${field}.name`, message: 'must be a non-empty text' });
    if (email !== undefined && (typeof email !== 'string' || !EMAIL.test(email))) errors.push({ field: `${field}.email`, message: 'must be an e-mail address' });
    if (phone !== undefined && (typeof phone !== 'string' || !/^\+?[\d ()-]{5,20}$/.test(phone))) errors.push({ field: `${field}.phone`, message: 'must be a phone number' });
    return errors;
  });
}

/** The tenant as stored, or every field error at once. */
export function validateTenant(input: TenantInput): NewTenant {
  const errors: FieldError[] = [];
  if (typeof input.id !== 'string' || !ID.test(input.id)) errors.push({ field: 'id', message: 'must be 1 to 63 lower-case letters, digits or "-", starting with a letter or digit' });
  const name = { sv: text(input.name?.sv, 'name.sv', errors), en: text(input.name?.en, 'name.en', errors) };
  let organisationNumber: string | undefined;
  if (input.organisationNumber !== undefined) {
    const parsed = parseOrganisationNumber(String(input.organisationNumber));
    if ('problem' in parsed) errors.push({ field: 'organisationNumber', message: parsed.problem });
    else organisationNumber = parsed.value;
  }
  const contacts = input.contacts ?? [];
  errors.push(...contactProblems(contacts));
  if (input.bankidEnvironment !== undefined && !ENVIRONMENTS.has(input.bankidEnvironment)) errors.push({ field: 'bankidEnvironment', message: 'must be production, test or simulator' });
  if (input.id !== DEFAULT_TENANT && input.bankidEnvironment === undefined) errors.push({ field: 'bankidEnvironment', message: 'is required (production, test or simulator)' });
  const policy = input.policy ?? {};
  errors.push(...policyProblems(policy));
  const timeZone = input.timeZone ?? DEFAULT_TIME_ZONE;
  const zoneProblem = timeZoneProblem(timeZone);
  if (zoneProblem) errors.push({ field: 'timeZone', message: zoneProblem });
  const billableOperations = input.billableOperations ?? [...DEFAULT_BILLABLE];
  const billable = billableProblem(billableOperations);
  if (billable) errors.push({ field: 'billableOperations', message: billable });
  refuseIfAny(errors);
  return { id: input.id, name, organisationNumber, contacts, bankidEnvironment: input.bankidEnvironment, policy: policy as Record<string, unknown>, timeZone, billableOperations };
}

export class TenantService {
  readonly #tenants: TenantRepository;

  constructor(db: Db) {
    this.#tenants = new TenantRepository(db);
  }

  async create(input: TenantInput): Promise<Tenant> {
    const tenant = await this.#validate(input);
    if (!(await this.#tenants.insert(tenant))) throw await this.#taken(tenant);
    return this.get(tenant.id);
  }

  /** Replaces a tenant's fields. Clients saved under a wider policy are narrowed when their settings are read. */
  async update(input: TenantInput): Promise<Tenant> {
    const tenant = await this.#validate(input);
    if (!(await this.#tenants.update(tenant))) throw new BrokerError('tenant_unknown', `no tenant ${input.id}`);
    return this.get(tenant.id);
  }

  async get(id: string): Promise<Tenant> {
    const found = await this.#tenants.find(id);
    if (!found) throw new BrokerError('tenant_unknown', `no tenant ${id}`);
    return found as Tenant;
  }

  async list(): Promise<Tenant[]> {
    return (await this.#tenants.list()) as Tenant[];
  }

  /** Refuses, field by field, client metadata that would widen its tenant's policy. */
  async checkClient(tenantId: string, metadata: Record<string, unknown>): Promise<void> {
    const tenant = await this.get(tenantId);
    refuseIfAny(wideningProblems(tenant.policy, metadata));
  }

  /** Puts a client under a tenant whose policy it fits. */
  async assignClient(clientId: string, tenantId: string, metadata: Record<string, unknown>): Promise<void> {
    await this.checkClient(tenantId, metadata);
    if (!(await this.#tenants.assignClient(clientId, tenantId))) throw new BrokerError('input_invalid', `no client ${clientId}`);
  }

  /** The settings a client's logins run with: its own, narrowed by its tenant's policy. */
  async effectiveSettings(clientId: string, metadata: Record<string, unknown>): Promise<EffectiveSettings> {
    const tenantId = await this.#tenants.tenantOfClient(clientId) ?? DEFAULT_TENANT;
    return effectiveSettings((await this.get(tenantId)).policy, clientSettings(metadata));
  }

  /** The tenant's fields checked, the time zone also by the database, whose reports count days in it. */
  async #validate(input: TenantInput): Promise<NewTenant> {
    const tenant = validateTenant(input);
    if (!(await this.#tenants.knowsTimeZone(tenant.timeZone))) throw new InputError([{ field: 'timeZone', message: `is not a time zone the database knows (${tenant.timeZone})` }]);
    return tenant;
  }

  async #taken(tenant: NewTenant): Promise<InputError> {
    const holder = tenant.organisationNumber ? await this.#tenants.findByOrganisationNumber(tenant.organisationNumber) : undefined;
    return holder && holder.id !== tenant.id
      ? new InputError([{ field: 'organisationNumber', message: `belongs to tenant ${holder.id} already` }])
      : new InputError([{ field: 'id', message: 'is taken' }]);
  }
}
