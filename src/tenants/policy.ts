/**
 * A tenant's policy: what its clients inherit and may only narrow. Start methods and SSO groups are allow-lists,
 * the BankID requirement is a floor (a client may ask for more, never less), the order-start limit a cap, and the
 * acr a default. Checked when a client is saved (a wider client is refused, field by field) and applied again when
 * the settings are read, since the policy may have narrowed after the client was saved.
 */
import type { Requirement } from '../bankid/types.ts';
import { variables } from '../config/variables.ts';
import type { FieldError } from '../errors/field-errors.ts';
import { CLIENT_SETTINGS, settingProblem, type ClientSettings, type EffectiveSettings, type StartMethodSetting } from '../oidc/client-settings.ts';

export type RequirementFloor = Omit<Requirement, 'personalNumber'>;

export interface TenantPolicy {
  /** Start methods the tenant's clients may offer; all when absent. */
  startMethods?: StartMethodSetting[];
  /** The least every order of the tenant's clients asks of BankID. */
  requirement?: RequirementFloor;
  /** SSO groups the tenant's clients may join; any when absent. */
  ssoGroups?: string[];
  /** BankID orders one client of the tenant may start per minute (below RATE_LIMIT_STARTS_PER_CLIENT_PER_MINUTE). */
  startsPerClientPerMinute?: number;
  /** The acr asserted for the tenant's logins; ACR when absent. */
  acr?: string;
}

const KEYS = new Set(['startMethods', 'requirement', 'ssoGroups', 'startsPerClientPerMinute', 'acr']);
const ACR = variables.find((v) => v.name === 'ACR')!.schema;
const ALL_METHODS: StartMethodSetting[] = ['qr', 'same_device'];

/** What is wrong with a policy, per field (`policy.<name>`); empty when it is fine. */
export function policyProblems(value: unknown): FieldError[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [{ field: 'policy', message: 'must be an object' }];
  const policy = value as Record<string, unknown>;
  const errors: FieldError[] = Object.keys(policy).filter((k) => !KEYS.has(k))
    .map((k) => ({ field: `policy.${k}`, message: `is not a policy setting (known: ${[...KEYS].join(', ')})` }));
  const add = (field: string, message: string | undefined) => { if (message) errors.push({ field: `policy.${field}`, message }); };
  if (policy.startMethods !== undefined) add('startMethods', settingProblem(CLIENT_SETTINGS.startMethods, policy.startMethods));
  if (policy.requirement !== undefined) add('requirement', settingProblem(CLIENT_SETTINGS.requirement, policy.requirement));
  if (policy.ssoGroups !== undefined) {
    const groups = policy.ssoGroups;
    add('ssoGroups', Array.isArray(groups) ? groups.map((g) => settingProblem(CLIENT_SETTINGS.ssoGroup, g)).find(Boolean) : 'must be a list of group names');
  }
  const limit = policy.startsPerClientPerMinute;
  if (limit !== undefined && !(Number.isInteger(limit) && (limit as number) > 0)) add('startsPerClientPerMinute', 'must be a whole number above 0');
  if (policy.acr !== undefined && !ACR.safeParse(policy.acr).success) add('acr', 'must be one of the acr values the broker may assert (see ACR)');
  return errors;
}

/** A certificate policy OID is within an allowed one: equal, or below a wildcard such as `1.2.752.78.*`. */
function oidAllowed(oid: string, allowed: string[]): boolean {
  return allowed.some((a) => a === oid || (a.endsWith('*') && oid.startsWith(a.slice(0, -1))));
}

const CARD_READER_RANK = { class1: 1, class2: 2 } as const;

/** Where a client's own settings ask for more than its tenant allows, per setting; empty when it stays within. */
export function wideningProblems(policy: TenantPolicy, metadata: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  const methods = metadata[CLIENT_SETTINGS.startMethods] as StartMethodSetting[] | undefined;
  if (methods && policy.startMethods) {
    const extra = methods.filter((m) => !policy.startMethods!.includes(m));
    if (extra.length) errors.push({ field: CLIENT_SETTINGS.startMethods, message: `${extra.join(', ')} is not allowed by the tenant (allowed: ${policy.startMethods.join(', ')})` });
  }
  const own = metadata[CLIENT_SETTINGS.requirement] as RequirementFloor | undefined;
  const floor = policy.requirement;
  if (own && floor) {
    const weaker: string[] = [];
    if (floor.pinCode && own.pinCode === false) weaker.push('pinCode must stay true');
    if (floor.mrtd && own.mrtd === false) weaker.push('mrtd must stay true');
    if (floor.cardReader && own.cardReader && CARD_READER_RANK[own.cardReader] < CARD_READER_RANK[floor.cardReader]) weaker.push(`cardReader must be ${floor.cardReader} or stricter`);
    const outside = floor.certificatePolicies && own.certificatePolicies?.filter((p) => !oidAllowed(p, floor.certificatePolicies!));
    if (outside?.length) weaker.push(`certificatePolicies ${outside.join(', ')} are outside the tenant's (${floor.certificatePolicies!.join(', ')})`);
    if (weaker.length) errors.push({ field: CLIENT_SETTINGS.requirement, message: `asks less than the tenant requires: ${weaker.join('; ')}` });
  }
  const group = metadata[CLIENT_SETTINGS.ssoGroup];
  if (typeof group === 'string' && policy.ssoGroups && !policy.ssoGroups.includes(group)) {
    errors.push({ field: CLIENT_SETTINGS.ssoGroup, message: `is not one of the tenant's SSO groups (${policy.ssoGroups.join(', ') || 'none'})` });
  }
  return errors;
}

/** The requirement an order is made with: the client's, raised to the tenant's floor. */
function effectiveRequirement(floor: RequirementFloor | undefined, own: Requirement | undefined): Requirement | undefined {
  if (!floor) return own;
  const merged: Requirement = { ...own };
  if (floor.pinCode) merged.pinCode = true;
  if (floor.mrtd) merged.mrtd = true;
  if (floor.cardReader && !(own?.cardReader && CARD_READER_RANK[own.cardReader] >= CARD_READER_RANK[floor.cardReader])) merged.cardReader = floor.cardReader;
  if (floor.certificatePolicies) {
    const within = own?.certificatePolicies?.filter((p) => oidAllowed(p, floor.certificatePolicies!));
    merged.certificatePolicies = within?.length ? within : floor.certificatePolicies;
  }
  return merged;
}

/** A client's settings within its tenant's policy: the narrower of the two wherever they differ. */
export function effectiveSettings(policy: TenantPolicy, settings: ClientSettings): EffectiveSettings {
  const allowed = policy.startMethods ?? ALL_METHODS;
  return {
    ...settings,
    startMethods: settings.startMethods.filter((m) => allowed.includes(m)),
    requirement: effectiveRequirement(policy.requirement, settings.requirement),
    // A group the tenant no longer allows means no single sign-on rather than a shared session it forbids.
    ssoGroup: settings.ssoGroup && (!policy.ssoGroups || policy.ssoGroups.includes(settings.ssoGroup)) ? settings.ssoGroup : undefined,
    startsPerMinute: policy.startsPerClientPerMinute,
    acr: policy.acr,
  };
}
