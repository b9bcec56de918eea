// Typed decisions: the schema a request carries, the values a decider sends, and the reviewer's form.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import {
  DECISION_ENUM_MAX,
  DECISION_OBJECT_JSON_MAX,
  DECISION_PROPERTIES_MAX,
  DECISION_STRING_MAX,
  decisionDefaults,
  decisionFieldLabel,
  decisionFields,
  decisionSchemaSchema,
  decisionValuesSchema,
  decisionValueText,
  parseDecisionForm,
  valuesSchemaOf,
  type DecisionSchema,
} from '../../lib/contract/decision';

/** Each issue as "path: message", the way invalidInput() in approval.ts joins them. */
function problems(schema: z.ZodType, input: unknown, prefix = 'decision'): string[] {
  const result = schema.safeParse(input);
  assert.equal(result.success, false, `expected ${JSON.stringify(input)} to be refused`);
  return result.error.issues.map((issue) => [prefix, ...issue.path.map(String)].filter(Boolean).join('.') + ': ' + issue.message);
}

const schemaProblems = (input: unknown) => problems(decisionSchemaSchema, input);
const withProperty = (property: unknown) => ({ type: 'object', properties: { amount: property } });

/** Asserts some problem matches `pattern` (listing them all when none does). */
function assertProblem(found: string[], pattern: RegExp) {
  assert.ok(
    found.some((p) => pattern.test(p)),
    `no problem matches ${pattern}:\n${found.join('\n')}`,
  );
}

const EXPENSE: DecisionSchema = decisionSchemaSchema.parse({
  type: 'object',
  title: 'Approve the expense',
  properties: {
    amount: { type: 'number', title: 'Amount', minimum: 0, maximum: 5000, default: 100 },
    seats: { type: 'integer', minimum: 1, maximum: 10 },
    costCentre: { type: 'string', title: 'Cost centre', enum: ['ops', 'sales'], default: 'ops' },
    note: { type: 'string', maxLength: 5 },
    expedite: { type: 'boolean', title: 'Expedite', default: false },
    meta: { type: 'object', title: 'Metadata', default: { tags: ['a'] } },
    level: { type: 'integer', enum: [1, 2, 3] },
  },
  required: ['amount', 'costCentre', 'seats'],
});

describe('decisionSchemaSchema: valid schemas', () => {
  test('accepts a property of each kind, with every keyword it takes', () => {
    const input = {
      type: 'object',
      title: 'Decision',
      description: 'What the reviewer fills in',
      properties: {
        text: { type: 'string', title: 'Text', description: 'Free text', maxLength: 100, default: 'hi' },
        choice: { type: 'string', enum: ['a', 'b'], default: 'b' },
        amount: { type: 'number', minimum: -1.5, maximum: 10.25, default: 2.5 },
        count: { type: 'integer', minimum: 0, maximum: 9, enum: [1, 2], default: 2 },
        flag: { type: 'boolean', title: 'Flag', default: true },
        extra: { type: 'object', description: 'JSON', default: { a: [1, { b: null }], c: 'x' } },
      },
      required: ['text', 'count'],
    };
    assert.deepEqual(decisionSchemaSchema.parse(input), input);
  });

  test('accepts the smallest schema: one property, nothing required', () => {
    const input = { type: 'object', properties: { ok: { type: 'boolean' } } };
    assert.deepEqual(decisionSchemaSchema.parse(input), input);
  });

  test('reads null keywords (as Go sends them without omitempty) as absent', () => {
    const parsed = decisionSchemaSchema.parse({
      type: 'object',
      title: null,
      properties: { a: { type: 'string', title: null, enum: null, maxLength: null, default: null } },
      required: null,
    });
    assert.equal(parsed.title, undefined);
    assert.equal(parsed.required, undefined);
    assert.equal(parsed.properties.a?.title, undefined);
  });

  test(`accepts ${DECISION_PROPERTIES_MAX} properties and names up to 64 characters`, () => {
    const properties = Object.fromEntries(Array.from({ length: DECISION_PROPERTIES_MAX }, (_, i) => [`p${i}`, { type: 'boolean' }]));
    assert.equal(decisionSchemaSchema.safeParse({ type: 'object', properties }).success, true);
    const long = `_${'a'.repeat(63)}`;
    assert.equal(decisionSchemaSchema.safeParse({ type: 'object', properties: { [long]: { type: 'boolean' } } }).success, true);
  });
});

describe('decisionSchemaSchema: malformed schemas, each named by its path', () => {
  test('a schema that is not an object, or not of type object', () => {
    assertProblem(schemaProblems('x'), /^decision: must be an object such as/);
    assertProblem(schemaProblems({ type: 'array', properties: { a: { type: 'string' } } }), /^decision\.type: must be "object"$/);
    assertProblem(schemaProblems({ properties: { a: { type: 'string' } } }), /^decision\.type: must be "object"$/);
  });

  test('properties missing, empty, not an object, or too many', () => {
    assertProblem(schemaProblems({ type: 'object' }), /^decision\.properties: must be an object mapping each name/);
    assertProblem(schemaProblems({ type: 'object', properties: [] }), /^decision\.properties: must be an object/);
    assertProblem(schemaProblems({ type: 'object', properties: {} }), /^decision\.properties: must name at least one property$/);
    const properties = Object.fromEntries(Array.from({ length: DECISION_PROPERTIES_MAX + 1 }, (_, i) => [`p${i}`, { type: 'boolean' }]));
    assertProblem(
      schemaProblems({ type: 'object', properties }),
      new RegExp(`^decision\\.properties: must have at most ${DECISION_PROPERTIES_MAX} properties, not ${DECISION_PROPERTIES_MAX + 1}$`),
    );
  });

  test('a property name that is not an identifier', () => {
    for (const name of ['1st', 'has-dash', 'has space', '', 'é', `a${'b'.repeat(64)}`]) {
      const found = schemaProblems({ type: 'object', properties: { [name]: { type: 'string' } } });
      assertProblem(found, /must start with a letter or _ and hold only letters, digits and _/);
    }
  });

  test('a name Object.prototype already has, __proto__ included, is refused rather than dropped', () => {
    assertProblem(schemaProblems(withPropertyNamed('constructor')), /^decision\.properties\.constructor: "constructor" is reserved/);
    assertProblem(schemaProblems(withPropertyNamed('toString')), /^decision\.properties\.toString: "toString" is reserved/);
    const proto = JSON.parse('{"type":"object","properties":{"__proto__":{"type":"string"}}}') as unknown;
    assertProblem(schemaProblems(proto), /^decision\.properties\.__proto__: "__proto__" is reserved/);
  });

  test('an unknown keyword is reported, with the spelling it probably meant', () => {
    assertProblem(
      schemaProblems(withProperty({ type: 'string', maxlength: 3 })),
      /^decision\.properties\.amount: unknown keyword "maxlength" \(did you mean "maxLength"\?\): a string property may have type, title/,
    );
    assertProblem(schemaProblems(withProperty({ type: 'number', min: 3, pattern: 'x' })), /unknown keywords "min", "pattern"/);
    assertProblem(
      schemaProblems({ type: 'object', properties: { a: { type: 'boolean' } }, additionalProperties: false }),
      /^decision: unknown keyword "additionalProperties": a decision may have type, title, description, properties, required$/,
    );
    // A keyword of another kind is unknown to this one.
    assertProblem(schemaProblems(withProperty({ type: 'boolean', enum: [true] })), /^decision\.properties\.amount: unknown keyword "enum"/);
  });

  test('a property of no known type, or not an object', () => {
    assertProblem(
      schemaProblems(withProperty({ type: 'date' })),
      /^decision\.properties\.amount\.type: must be one of string, number, integer, boolean, object$/,
    );
    assertProblem(schemaProblems(withProperty({ title: 'No type' })), /^decision\.properties\.amount\.type: must be one of/);
    assertProblem(schemaProblems(withProperty('number')), /^decision\.properties\.amount: must be an object such as/);
  });

  test('required names a property that does not exist, or names one twice', () => {
    const found = schemaProblems({ type: 'object', properties: { a: { type: 'string' } }, required: ['a', 'b', 'a'] });
    assert.deepEqual(found, ['decision.required.1: "b" is not one of the properties', 'decision.required.2: lists "a" twice']);
    assertProblem(
      schemaProblems({ type: 'object', properties: { a: { type: 'string' } }, required: 'a' }),
      /^decision\.required: must be a list/,
    );
  });

  test('minimum more than maximum', () => {
    assert.deepEqual(schemaProblems(withProperty({ type: 'number', minimum: 10, maximum: 5 })), [
      'decision.properties.amount.minimum: must not be more than maximum',
    ]);
  });

  test('an integer property takes whole-number bounds and enum entries', () => {
    const found = schemaProblems(withProperty({ type: 'integer', minimum: 0.5, maximum: 9.5, enum: [1, 2.5] }));
    assertProblem(found, /^decision\.properties\.amount\.minimum: must be a whole number for an integer property$/);
    assertProblem(found, /^decision\.properties\.amount\.maximum: must be a whole number for an integer property$/);
    assertProblem(found, /^decision\.properties\.amount\.enum\.1: must be a whole number$/);
  });

  test('maxLength out of range or fractional, reported once', () => {
    assert.deepEqual(schemaProblems(withProperty({ type: 'string', maxLength: 0, enum: ['a'], default: 'a' })), [
      'decision.properties.amount.maxLength: must be at least 1',
    ]);
    assertProblem(
      schemaProblems(withProperty({ type: 'string', maxLength: DECISION_STRING_MAX + 1 })),
      new RegExp(`maxLength: must be at most ${DECISION_STRING_MAX}$`),
    );
    assertProblem(schemaProblems(withProperty({ type: 'string', maxLength: 2.5 })), /maxLength: must be a whole number$/);
    assertProblem(schemaProblems(withProperty({ type: 'string', maxLength: '5' })), /maxLength: must be a number$/);
  });

  test('an enum that is empty, too long, repeats, holds empty text, or breaks the property', () => {
    assertProblem(
      schemaProblems(withProperty({ type: 'string', enum: [] })),
      /^decision\.properties\.amount\.enum: must list at least one value$/,
    );
    const many = Array.from({ length: DECISION_ENUM_MAX + 1 }, (_, i) => `v${i}`);
    assertProblem(
      schemaProblems(withProperty({ type: 'string', enum: many })),
      new RegExp(`enum: must list at most ${DECISION_ENUM_MAX} values$`),
    );
    assert.deepEqual(schemaProblems(withProperty({ type: 'string', enum: ['a', 'a', ''] })), [
      'decision.properties.amount.enum.1: lists "a" twice',
      'decision.properties.amount.enum.2: must not be empty text',
    ]);
    assertProblem(schemaProblems(withProperty({ type: 'string', maxLength: 2, enum: ['abc'] })), /enum\.0: must be at most 2 characters$/);
    assertProblem(schemaProblems(withProperty({ type: 'number', maximum: 5, enum: [1, 6] })), /enum\.1: must be at most 5$/);
    assertProblem(schemaProblems(withProperty({ type: 'number', enum: ['1'] })), /enum\.0: must be a number$/);
  });

  test('a default must satisfy its own property', () => {
    const cases: [unknown, RegExp][] = [
      [{ type: 'string', default: 5 }, /default: must be text$/],
      [{ type: 'string', maxLength: 3, default: 'abcd' }, /default: must be at most 3 characters$/],
      [{ type: 'string', enum: ['a', 'b'], default: 'c' }, /default: must be one of "a", "b"$/],
      [{ type: 'number', default: '5' }, /default: must be a number$/],
      [{ type: 'number', minimum: 1, default: 0 }, /default: must be at least 1$/],
      [{ type: 'number', maximum: 5000, default: 5001 }, /default: must be at most 5000$/],
      [{ type: 'number', enum: [1, 2], default: 3 }, /default: must be one of 1, 2$/],
      [{ type: 'integer', default: 1.5 }, /default: must be a whole number$/],
      [{ type: 'boolean', default: 'true' }, /default: must be true or false$/],
      [{ type: 'object', default: [1] }, /default: must be a JSON object$/],
      [{ type: 'object', default: 'text' }, /default: must be a JSON object$/],
    ];
    for (const [property, pattern] of cases) {
      const found = schemaProblems(withProperty(property));
      assert.equal(found.length, 1, found.join('\n'));
      assert.match(found[0] ?? '', new RegExp(`^decision\\.properties\\.amount\\.${pattern.source}`));
    }
  });

  test('titles, descriptions and text values hold no NUL or bidirectional control, within their limits', () => {
    assertProblem(
      schemaProblems(withProperty({ type: 'string', title: 'Pay\u202E' })),
      /amount\.title: title must not contain NUL .*U\+202E/,
    );
    assertProblem(
      schemaProblems({ type: 'object', description: 'x\u0000', properties: { a: { type: 'boolean' } } }),
      /^decision\.description: description must not contain NUL/,
    );
    assertProblem(
      schemaProblems(withProperty({ type: 'string', enum: ['ok', 'b\u2066'] })),
      /enum\.1: an enum entry must not contain NUL .*U\+2066/,
    );
    assertProblem(schemaProblems(withProperty({ type: 'string', default: 'x\u202A' })), /default: the default must not contain NUL/);
    assertProblem(schemaProblems(withProperty({ type: 'object', default: { 'k\u0000': 1 } })), /default: the default must not contain NUL/);
    assertProblem(
      schemaProblems(withProperty({ type: 'object', default: { deep: ['\u2069'] } })),
      /default: the default must not contain NUL/,
    );
    assertProblem(
      schemaProblems(withProperty({ type: 'string', title: 'x'.repeat(201) })),
      /amount\.title: must be at most 200 characters$/,
    );
    assertProblem(
      schemaProblems(withProperty({ type: 'string', description: 'x'.repeat(1001) })),
      /amount\.description: must be at most 1000 characters$/,
    );
    // The plain direction marks are ordinary in right-to-left text.
    assert.equal(decisionSchemaSchema.safeParse(withProperty({ type: 'string', title: 'מחיר\u200F' })).success, true);
  });

  test('an object default must be JSON of a bounded size', () => {
    assertProblem(
      schemaProblems(withProperty({ type: 'object', default: { big: 'x'.repeat(DECISION_OBJECT_JSON_MAX) } })),
      new RegExp(`default: must be at most ${DECISION_OBJECT_JSON_MAX} characters as JSON$`),
    );
    assertProblem(schemaProblems(withProperty({ type: 'object', default: { when: new Date(0) } })), /default: must hold only JSON values/);
  });
});

function withPropertyNamed(name: string) {
  return { type: 'object', properties: { [name]: { type: 'string' } } };
}

describe('decisionDefaults', () => {
  test('holds each default, and nothing for a property without one', () => {
    assert.deepEqual(decisionDefaults(EXPENSE), { amount: 100, costCentre: 'ops', expedite: false, meta: { tags: ['a'] } });
  });

  test('copies object defaults, so changing them leaves the schema alone', () => {
    const defaults = decisionDefaults(EXPENSE);
    (defaults.meta as { tags: string[] }).tags.push('b');
    assert.deepEqual(EXPENSE.properties.meta?.default, { tags: ['a'] });
  });

  test('is empty for a schema without defaults', () => {
    assert.deepEqual(decisionDefaults(decisionSchemaSchema.parse(withProperty({ type: 'number' }))), {});
  });
});

describe('helpers', () => {
  test('decisionFields lists the properties in order, marking the required ones', () => {
    assert.deepEqual(
      decisionFields(EXPENSE).map(({ name, required }) => [name, required]),
      [
        ['amount', true],
        ['seats', true],
        ['costCentre', true],
        ['note', false],
        ['expedite', false],
        ['meta', false],
        ['level', false],
      ],
    );
  });

  test('a field reads as its title, else its name', () => {
    assert.equal(decisionFieldLabel('costCentre', { type: 'string', title: 'Cost centre' }), 'Cost centre');
    assert.equal(decisionFieldLabel('seats', { type: 'integer' }), 'seats');
    assert.equal(decisionFieldLabel('seats', { type: 'integer', title: '  ' }), 'seats');
  });

  test('decisionValueText writes a value as a form field holds it', () => {
    assert.equal(decisionValueText({ type: 'number' }, 12.5), '12.5');
    assert.equal(decisionValueText({ type: 'boolean' }, true), 'true');
    assert.equal(decisionValueText({ type: 'string' }, undefined), '');
    assert.equal(decisionValueText({ type: 'object' }, { a: 1 }), '{\n  "a": 1\n}');
  });
});

describe('valuesSchemaOf: values as an API sends them', () => {
  const values = valuesSchemaOf(EXPENSE);
  const valueProblems = (input: unknown) => problems(values, input, '');

  test('accepts well-typed values within their bounds, leaving optional ones out', () => {
    const input = { amount: 5000, seats: 10, costCentre: 'sales', note: 'hello', expedite: true, meta: { a: [1, null] }, level: 2 };
    assert.deepEqual(values.parse(input), input);
    assert.deepEqual(values.parse({ amount: 0, seats: 1, costCentre: 'ops' }), { amount: 0, seats: 1, costCentre: 'ops' });
  });

  test('does not fill in defaults: the values are what the decider chose', () => {
    assert.deepEqual(values.parse({ amount: 1, seats: 1, costCentre: 'ops' }), { amount: 1, seats: 1, costCentre: 'ops' });
  });

  test('names each field by its title, else its name', () => {
    assert.deepEqual(valueProblems({ amount: 5001, seats: 0, costCentre: 'hr' }), [
      'amount: Amount must be at most 5000',
      'seats: seats must be at least 1',
      'costCentre: Cost centre must be one of "ops", "sales"',
    ]);
  });

  test('reports a missing required field, and reads null as missing', () => {
    assert.deepEqual(valueProblems({ amount: null, costCentre: 'ops' }), ['amount: Amount is required', 'seats: seats is required']);
    assert.deepEqual(values.parse({ amount: 1, seats: 1, costCentre: 'ops', note: null }), { amount: 1, seats: 1, costCentre: 'ops' });
  });

  test('an empty text is missing for a required string, a value for an optional one', () => {
    const schema = decisionSchemaSchema.parse({
      type: 'object',
      properties: { a: { type: 'string' }, b: { type: 'string' } },
      required: ['a'],
    });
    assert.deepEqual(problems(valuesSchemaOf(schema), { a: '', b: '' }, ''), ['a: a is required']);
    assert.deepEqual(valuesSchemaOf(schema).parse({ a: 'x', b: '' }), { a: 'x', b: '' });
  });

  test('checks each type', () => {
    const base = { amount: 1, seats: 1, costCentre: 'ops' };
    const cases: [Record<string, unknown>, string][] = [
      [{ amount: '5' }, 'amount: Amount must be a number'],
      [{ amount: Number.NaN }, 'amount: Amount must be a number'],
      [{ amount: Number.POSITIVE_INFINITY }, 'amount: Amount must be a finite number'],
      [{ seats: 1.5 }, 'seats: seats must be a whole number'],
      [{ seats: '2' }, 'seats: seats must be a whole number'],
      [{ note: 5 }, 'note: note must be text'],
      [{ note: 'toolong' }, 'note: note must be at most 5 characters'],
      [{ expedite: 'true' }, 'expedite: Expedite must be true or false'],
      [{ meta: [1] }, 'meta: Metadata must be a JSON object'],
      [{ meta: null }, ''],
      [{ meta: 'x' }, 'meta: Metadata must be a JSON object'],
      [{ level: 4 }, 'level: level must be one of 1, 2, 3'],
    ];
    for (const [change, expected] of cases) {
      const input = { ...base, ...change };
      if (!expected) assert.equal(values.safeParse(input).success, true);
      else assert.deepEqual(valueProblems(input), [expected], JSON.stringify(change));
    }
  });

  test('refuses NUL and bidirectional controls in text and in objects', () => {
    assertProblem(
      valueProblems({ amount: 1, seats: 1, costCentre: 'ops', note: 'a\u202Eb' }),
      /^note: note must not contain NUL .*U\+202E/,
    );
    assertProblem(
      valueProblems({ amount: 1, seats: 1, costCentre: 'ops', meta: { k: 'a\u0000' } }),
      /^meta: Metadata must not contain NUL .*U\+0000/,
    );
  });

  test('refuses a field the schema does not have', () => {
    assert.deepEqual(valueProblems({ amount: 1, seats: 1, costCentre: 'ops', bonus: 5 }), [
      'bonus: "bonus" is not a field of this decision',
    ]);
    assert.deepEqual(valueProblems(JSON.parse('{"amount":1,"seats":1,"costCentre":"ops","constructor":1}')), [
      'constructor: "constructor" is not a field of this decision',
    ]);
    assert.deepEqual(valueProblems(JSON.parse('{"amount":1,"seats":1,"costCentre":"ops","__proto__":{"x":1}}')), [
      '__proto__: "__proto__" is not a field of this decision',
    ]);
  });

  test('refuses values that are not an object; reads none at all as empty', () => {
    assert.deepEqual(valueProblems([1]), [': must be an object of values by field name']);
    assert.deepEqual(valueProblems('x'), [': must be an object of values by field name']);
    assert.deepEqual(valueProblems(undefined), [
      'amount: Amount is required',
      'seats: seats is required',
      'costCentre: Cost centre is required',
    ]);
  });
});

describe('decisionValuesSchema: values checked without their schema', () => {
  test('accepts text, numbers, booleans and JSON objects, dropping nulls', () => {
    assert.deepEqual(decisionValuesSchema.parse({ a: 'x', b: 1.5, c: false, d: { e: [1] }, f: null }), {
      a: 'x',
      b: 1.5,
      c: false,
      d: { e: [1] },
    });
  });

  test('refuses arrays, bad names, forbidden characters and too many values', () => {
    assertProblem(problems(decisionValuesSchema, { a: [1] }, ''), /^a: a must be text, a number, true or false, or a JSON object$/);
    assertProblem(problems(decisionValuesSchema, { 'a-b': 1 }, ''), /^a-b: "a-b" is not a valid field name$/);
    assertProblem(problems(decisionValuesSchema, { a: 'x\u202E' }, ''), /^a: a must not contain NUL/);
    assertProblem(problems(decisionValuesSchema, { a: 'x'.repeat(DECISION_STRING_MAX + 1) }, ''), /must be at most 10000 characters/);
    const many = Object.fromEntries(Array.from({ length: DECISION_PROPERTIES_MAX + 1 }, (_, i) => [`v${i}`, 1]));
    assertProblem(problems(decisionValuesSchema, many, ''), /must hold at most 30 values/);
    assertProblem(problems(decisionValuesSchema, 'x', ''), /must be an object/);
  });
});

describe('parseDecisionForm: the reviewer form', () => {
  const form = (fields: Record<string, string>) =>
    parseDecisionForm(EXPENSE, { 'values.seats': '2', 'values.costCentre': 'ops', 'values.amount': '10', ...fields });
  const errorsOf = (fields: Record<string, string>) => {
    const result = form(fields);
    assert.equal(result.ok, false, JSON.stringify(result));
    return result.ok ? {} : result.fieldErrors;
  };

  test('reads every kind of field into a typed value', () => {
    assert.deepEqual(
      form({
        'values.amount': '-0',
        'values.note': 'hi',
        'values.expedite': 'on',
        'values.meta': ' {"a": [1, "b"]} ',
        'values.level': '3',
      }),
      { ok: true, values: { amount: -0, seats: 2, costCentre: 'ops', note: 'hi', expedite: true, meta: { a: [1, 'b'] }, level: 3 } },
    );
  });

  test('leaves out empty optional fields, and reads an absent checkbox as false', () => {
    assert.deepEqual(form({ 'values.note': '', 'values.meta': '  ', 'values.level': '' }), {
      ok: true,
      values: { amount: 10, seats: 2, costCentre: 'ops', expedite: false },
    });
  });

  test('ignores fields outside the prefix (the id, the comment)', () => {
    assert.equal(form({ id: 'abc', comment: 'fine' }).ok, true);
  });

  test('reads numbers strictly', () => {
    for (const text of ['12abc', '0x10', 'Infinity', '1,5', '1_000', '.', '-', 'NaN', '1e']) {
      assert.deepEqual(errorsOf({ 'values.amount': text }), { 'values.amount': 'Amount must be a number' }, text);
    }
    const unbounded = decisionSchemaSchema.parse({ type: 'object', properties: { n: { type: 'number' } } });
    for (const [text, value] of [
      ['-1.5', -1.5],
      ['  42 ', 42],
      ['+7', 7],
      ['1e3', 1000],
      ['2.5E-1', 0.25],
      ['.5', 0.5],
      ['3.', 3],
    ] as const) {
      assert.deepEqual(parseDecisionForm(unbounded, { 'values.n': text }), { ok: true, values: { n: value } }, text);
    }
    assert.deepEqual(parseDecisionForm(unbounded, { 'values.n': '1e999' }), {
      ok: false,
      fieldErrors: { 'values.n': 'n must be a finite number' },
    });
  });

  test('an integer field takes whole numbers only', () => {
    assert.deepEqual(errorsOf({ 'values.seats': '2.5' }), { 'values.seats': 'seats must be a whole number' });
    assert.deepEqual(errorsOf({ 'values.seats': 'two' }), { 'values.seats': 'seats must be a whole number' });
    const result = form({ 'values.seats': '3.0' });
    assert.equal(result.ok && result.values.seats, 3);
  });

  test('checks bounds, required fields, enums and lengths, keyed by the form field', () => {
    assert.deepEqual(
      parseDecisionForm(EXPENSE, { 'values.amount': '6000', 'values.seats': '', 'values.costCentre': 'hr', 'values.note': 'too long' }),
      {
        ok: false,
        fieldErrors: {
          'values.amount': 'Amount must be at most 5000',
          'values.seats': 'seats is required',
          'values.costCentre': 'Cost centre must be one of "ops", "sales"',
          'values.note': 'note must be at most 5 characters',
        },
      },
    );
    assert.deepEqual(parseDecisionForm(EXPENSE, {}), {
      ok: false,
      fieldErrors: {
        'values.amount': 'Amount is required',
        'values.seats': 'seats is required',
        'values.costCentre': 'Cost centre is required',
      },
    });
  });

  test('a checkbox is checked by "on", "true" or "1", unchecked by "false" or "off"', () => {
    for (const text of ['on', 'true', '1', 'TRUE']) {
      const result = form({ 'values.expedite': text });
      assert.equal(result.ok && result.values.expedite, true, text);
    }
    for (const text of ['false', 'off', '0', '']) {
      const result = form({ 'values.expedite': text });
      assert.equal(result.ok && result.values.expedite, false, text);
    }
    assert.deepEqual(errorsOf({ 'values.expedite': 'maybe' }), { 'values.expedite': 'Expedite must be checked or unchecked' });
  });

  test('an object field must hold a JSON object', () => {
    for (const text of ['[1, 2]', '"text"', '42', 'null', 'true']) {
      assert.deepEqual(
        errorsOf({ 'values.meta': text }),
        { 'values.meta': 'Metadata must be a JSON object, such as {"key": "value"}' },
        text,
      );
    }
    assert.match(errorsOf({ 'values.meta': '{a: 1}' })['values.meta'] ?? '', /^Metadata must be a JSON object.*not valid JSON/);
    assert.match(errorsOf({ 'values.meta': '{"a": "\\u202e"}' })['values.meta'] ?? '', /^Metadata must not contain NUL/);
  });

  test('a required object field left blank is missing', () => {
    const schema = decisionSchemaSchema.parse({
      type: 'object',
      properties: { meta: { type: 'object', title: 'Meta' } },
      required: ['meta'],
    });
    assert.deepEqual(parseDecisionForm(schema, { 'values.meta': '' }), { ok: false, fieldErrors: { 'values.meta': 'Meta is required' } });
  });

  test('refuses a values.* field the schema does not have', () => {
    assert.deepEqual(errorsOf({ 'values.bonus': '5' }), { 'values.bonus': '"bonus" is not a field of this decision' });
    assert.deepEqual(errorsOf({ 'values.constructor': '5' }), { 'values.constructor': '"constructor" is not a field of this decision' });
  });

  test('refuses NUL and bidirectional controls in text', () => {
    assert.match(errorsOf({ 'values.note': 'a\u202Eb' })['values.note'] ?? '', /^note must not contain NUL .*U\+202E/);
  });

  test('reads a text area’s CRLF line breaks as one character each, as the browser counted them', () => {
    const result = form({ 'values.note': 'a\r\nb\r\nc' });
    assert.equal(result.ok && result.values.note, 'a\nb\nc');
  });

  test('keeps the first problem of a field: a number that cannot be read is not also "required"', () => {
    assert.deepEqual(errorsOf({ 'values.seats': 'x' }), { 'values.seats': 'seats must be a whole number' });
  });

  test('takes another prefix', () => {
    const schema = decisionSchemaSchema.parse({ type: 'object', properties: { ok: { type: 'boolean' }, n: { type: 'number' } } });
    assert.deepEqual(parseDecisionForm(schema, { 'd-ok': 'on', 'd-n': '2', other: 'x' }, 'd-'), { ok: true, values: { ok: true, n: 2 } });
    assert.deepEqual(parseDecisionForm(schema, { 'd-n': 'x' }, 'd-'), { ok: false, fieldErrors: { 'd-n': 'n must be a number' } });
  });
});
