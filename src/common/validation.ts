import { validate, ValidationError } from 'class-validator';
import { DomainError, UserError, UserErrorCode } from './errors';

/**
 * Checks an input object against its class-validator rules (declared beside its GraphQL
 * fields) and throws every failure as a `userError` with the field path, e.g.
 * ["input", "items", "2", "quantity"].
 */
export async function assertValid(input: object, path: string[] = ['input']): Promise<void> {
  const failures = await validate(input, { forbidUnknownValues: false, validationError: { target: false } });
  const errors: UserError[] = [];
  collect(failures, path, errors);
  if (errors.length) throw new DomainError(errors);
}

function collect(failures: ValidationError[], path: string[], out: UserError[]) {
  for (const f of failures) {
    const here = [...path, f.property];
    for (const message of Object.values(f.constraints ?? {})) {
      out.push({ code: UserErrorCode.INVALID, field: here, message });
    }
    if (f.children?.length) collect(f.children, here, out);
  }
}
