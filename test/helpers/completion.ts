/** completionData as BankID returns it, for tests that need one without running an order. */
import type { CompletionData } from '../../src/bankid/types.ts';

export function completionData(user: Partial<CompletionData['user']> = {}): CompletionData {
  return {
    user: { personalNumber: '199908072391', name: 'Tolvan Tolvansson', givenName: 'Tolvan', surname: 'Tolvansson', ...user },
    device: { ipAddress: '192.168.0.1', uhi: 'OZvYM9VvyiAmG7NA5jU5zqGcVpo=' },
    bankIdIssueDate: '2020-02-01',
    stepUp: { mrtd: true },
    signature: 'PFNpZ25hdHVyZT4=',
    ocspResponse: 'MIIHfgoBAKCCB3c=',
    risk: 'low',
  };
}
