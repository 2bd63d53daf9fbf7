import { ArgumentMetadata } from '@nestjs/common';
import { IsString, Length } from 'class-validator';

import { ValidationFailedError } from '../errors/common.errors';
import { createValidationPipe, inputProblem, MAX_INPUT_DEPTH } from './validation.pipe';

class NoteDto {
  @IsString()
  @Length(1, 10)
  text: string;
}

const body: ArgumentMetadata = { type: 'body', metatype: NoteDto };

async function refusal(value: unknown, metadata = body) {
  const error = await createValidationPipe()
    .transform(value, metadata)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(error).toBeInstanceOf(ValidationFailedError);
  return (error as ValidationFailedError).fields.map((f) => `${f.field}:${f.code}`);
}

describe(inputProblem.name, () => {
  it('finds NUL characters and unpaired surrogates, and passes well-formed text (emoji included)', () => {
    expect(inputProblem({ a: ['ok', 'x\u0000y'] }, '')).toMatchObject({
      field: 'a.1',
      code: 'wellFormedText',
    });
    expect(inputProblem({ a: '\uD800x' }, '')).toMatchObject({ field: 'a', code: 'wellFormedText' });
    expect(inputProblem({ a: 'x\uDC00' }, '')).toMatchObject({ field: 'a', code: 'wellFormedText' });
    expect(inputProblem({ a: '👩‍👩‍👧‍👦 \u202Eok', b: 1, c: null }, '')).toBeUndefined();
  });

  it('stops at MAX_INPUT_DEPTH without recursing, whatever the depth', () => {
    const deep = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000));
    expect(inputProblem({ a: deep }, '')).toMatchObject({ code: 'maxDepth' });
    const shallow = JSON.parse('['.repeat(MAX_INPUT_DEPTH - 1) + ']'.repeat(MAX_INPUT_DEPTH - 1));
    expect(inputProblem({ a: shallow }, '')).toBeUndefined();
  });

  it('treats prototype keys and inherited Object members as unknown fields', () => {
    for (const key of ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty']) {
      const value = JSON.parse(`{"a":{"${key}":1}}`);
      expect(inputProblem(value, '')).toMatchObject({ field: `a.${key}`, code: 'whitelistValidation' });
    }
  });
});

describe(createValidationPipe.name, () => {
  it('refuses what Nest would strip or crash on, before class-transformer runs', async () => {
    expect(await refusal({ text: 'ok', constructor: 1 })).toEqual(['constructor:whitelistValidation']);
    expect(await refusal({ text: 'a\u0000' })).toEqual(['text:wellFormedText']);
    expect(await refusal({ text: JSON.parse('['.repeat(5000) + ']'.repeat(5000)) })).toEqual([
      expect.stringMatching(/:maxDepth$/),
    ]);
    expect(await refusal({ q: 'x\u0000' }, { type: 'query', metatype: Object })).toEqual([
      'q:wellFormedText',
    ]);
  });

  it('refuses a body that is no object, but keeps a missing body as an empty DTO', async () => {
    for (const value of [null, 'text', 42, [{ text: 'ok' }]]) {
      expect(await refusal(value)).toEqual(['body:isObject']);
    }
    expect(await refusal(undefined)).toEqual(expect.arrayContaining(['text:isString']));
    await expect(createValidationPipe().transform({ text: 'ok' }, body)).resolves.toBeInstanceOf(NoteDto);
  });
});
