import { ClassConstructor, plainToInstance } from 'class-transformer';
import { validate, ValidationError } from 'class-validator';

/** One broken rule of a DTO, as `field: message`. */
export interface InputProblem {
  field: string;
  message: string;
}

const problemsOf = (errors: ValidationError[], parent = ''): InputProblem[] =>
  errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    return [
      ...Object.values(error.constraints ?? {}).map((message) => ({ field, message })),
      ...problemsOf(error.children ?? [], field),
    ];
  });

/**
 * Validates command-line input against the DTO the HTTP route validates the same input with (so the CLI
 * applies exactly the API's rules: registration's password policy, the job reference, the reason), with the
 * API's options: unknown fields refused, values transformed as the DTO declares.
 */
export async function validateInput<T extends object>(
  dto: ClassConstructor<T>,
  input: Record<string, unknown>,
): Promise<{ value: T; problems: InputProblem[] }> {
  const value = plainToInstance(dto, input);
  const errors = await validate(value, { whitelist: true, forbidNonWhitelisted: true });
  return { value, problems: problemsOf(errors) };
}
