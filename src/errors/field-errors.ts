/** Input refused field by field: the admin API answers `{"errors":[{"field","message"}]}`, the CLI prints each. */
import { BrokerError } from './catalogue.ts';

export interface FieldError {
  /** The field as a path, e.g. `organisationNumber` or `brygga_start_methods`. */
  field: string;
  message: string;
}

export class InputError extends BrokerError {
  readonly errors: FieldError[];

  constructor(errors: FieldError[]) {
    super('input_invalid', errors.map((e) => `${e.field} ${e.message}`).join('; '));
    this.errors = errors;
  }
}

/** Throws an InputError when there is anything to say. */
export function refuseIfAny(errors: FieldError[]): void {
  if (errors.length) throw new InputError(errors);
}
