// Typed decisions: a request may carry a `decision` schema, a small subset of
// JSON Schema, and the reviewer who approves fills it in. The values travel in
// the approval's result to the workflow.
// Bundled into workflow code (approval.ts imports it): keep it pure, and import
// nothing from approval.ts (it imports this file).
import { z } from 'zod';
import { forbiddenCharacterIn, forbiddenCharacterMessage, spellOutForbidden } from './limits';
import {
  DECISION_STRING_MAX,
  decisionFieldLabel,
  decisionFieldName,
  decisionFields,
  type DecisionValue,
  type DecisionValues,
  type JsonObject,
} from './decision-fields';

// The zod-free half (reading a schema, its defaults, the form's names) lives in
// ./decision-fields.ts, so a browser bundle never carries zod (its object parser
// probes for eval, which the pages' CSP refuses).
export * from './decision-fields';

/** Properties one decision may ask for: each is a field on the reviewer's form. */
export const DECISION_PROPERTIES_MAX = 30;
/** A property's name: a JavaScript-style identifier, as a workflow reads it back. */
export const DECISION_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const DECISION_TITLE_MAX = 200;
export const DECISION_DESCRIPTION_MAX = 1000;
/** Entries in one property's `enum`. */
export const DECISION_ENUM_MAX = 50;
/** An object value, written as JSON, in characters. */
export const DECISION_OBJECT_JSON_MAX = 10_000;
/** How deeply an object value may nest. */
export const DECISION_OBJECT_DEPTH_MAX = 20;

/**
 * Names a property may not take: they are Object.prototype's own, so a
 * plain-object lookup (`values[name]`) would find something that was never sent,
 * and `__proto__` cannot even be assigned as a key.
 */
const RESERVED_NAMES: ReadonlySet<string> = new Set([
  '__proto__',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  'constructor',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  'toString',
  'valueOf',
]);

const PROPERTY_TYPES = ['string', 'number', 'integer', 'boolean', 'object'] as const;
const PROPERTY_EXAMPLE = '{ "type": "string", "title": "Cost centre" }';

// ---------------------------------------------------------------------------
// Checking one value against one property: shared by the schema's defaults and
// enums, the values a decider sends, and the reviewer's form.
// ---------------------------------------------------------------------------

const hasOwn = (object: object, key: string) => Object.prototype.hasOwnProperty.call(object, key);

/** A plain object (`{…}`), not an array, null, a Date or a class instance. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

type Found = { problem: 'forbidden'; found: string } | { problem: 'other'; message: string } | undefined;

/** Why `value` is not plain JSON (or holds a forbidden character), or undefined when it is fine. */
function jsonProblem(value: unknown, depth: number): Found {
  if (value === null || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : { problem: 'other', message: 'must hold only finite numbers' };
  if (typeof value === 'string') {
    const found = forbiddenCharacterIn(value);
    return found ? { problem: 'forbidden', found } : undefined;
  }
  if (depth >= DECISION_OBJECT_DEPTH_MAX)
    return { problem: 'other', message: `must not nest more than ${DECISION_OBJECT_DEPTH_MAX} levels deep` };
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = jsonProblem(item, depth + 1);
      if (problem) return problem;
    }
    return undefined;
  }
  if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      const found = forbiddenCharacterIn(key);
      if (found) return { problem: 'forbidden', found };
      const problem = jsonProblem(value[key], depth + 1);
      if (problem) return problem;
    }
    return undefined;
  }
  return { problem: 'other', message: 'must hold only JSON values (text, numbers, true/false, null, lists and objects)' };
}

const quote = (value: string | number) => (typeof value === 'string' ? JSON.stringify(spellOutForbidden(value)) : String(value));

function enumMessage(entries: readonly (string | number)[]): string {
  const shown = entries.slice(0, 10).map(quote).join(', ');
  return entries.length === 1 ? `must be ${shown}` : `must be one of ${shown}${entries.length > 10 ? ', …' : ''}`;
}

/**
 * What is wrong with `value` for `property`, as a sentence about `subject`
 * ("Amount must be at most 5000"); undefined when the value is fine. `subject`
 * absent: the sentence starts at "must", for a message whose path names the field.
 */
function valueProblem(
  property: DecisionProperty,
  value: unknown,
  subject?: string,
  options: { enum?: boolean; forbiddenSubject?: string } = {},
): string | undefined {
  const say = (message: string) => (subject ? `${subject} ${message}` : message);
  const forbidden = (found: string) => forbiddenCharacterMessage(subject ?? options.forbiddenSubject ?? 'the value', found);
  const checkEnum = options.enum !== false;
  switch (property.type) {
    case 'string': {
      if (typeof value !== 'string') return say('must be text');
      const found = forbiddenCharacterIn(value);
      if (found) return forbidden(found);
      const max = property.maxLength ?? DECISION_STRING_MAX;
      if (value.length > max) return say(`must be at most ${max} characters`);
      if (checkEnum && property.enum && !property.enum.includes(value)) return say(enumMessage(property.enum));
      return undefined;
    }
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || Number.isNaN(value))
        return say(property.type === 'integer' ? 'must be a whole number' : 'must be a number');
      if (!Number.isFinite(value)) return say('must be a finite number');
      if (property.type === 'integer' && !Number.isSafeInteger(value)) {
        return say(Number.isInteger(value) ? 'must be a whole number of at most 15 digits' : 'must be a whole number');
      }
      if (property.minimum !== undefined && value < property.minimum) return say(`must be at least ${property.minimum}`);
      if (property.maximum !== undefined && value > property.maximum) return say(`must be at most ${property.maximum}`);
      if (checkEnum && property.enum && !property.enum.includes(value)) return say(enumMessage(property.enum));
      return undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : say('must be true or false');
    case 'object': {
      if (!isPlainObject(value)) return say('must be a JSON object');
      const problem = jsonProblem(value, 0);
      if (problem?.problem === 'forbidden') return forbidden(problem.found);
      if (problem) return say(problem.message);
      if (JSON.stringify(value).length > DECISION_OBJECT_JSON_MAX)
        return say(`must be at most ${DECISION_OBJECT_JSON_MAX} characters as JSON`);
      return undefined;
    }
  }
}

// ---------------------------------------------------------------------------
// The decision schema itself
// ---------------------------------------------------------------------------

// Other SDKs may send null for an absent keyword (Go without omitempty).
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => v ?? undefined, schema.optional());

/** Text in the schema (a title, a description): no forbidden character, at most `max` characters. */
const schemaText = (keyword: string, max: number) =>
  z
    .string({ error: 'must be text' })
    .max(max, `must be at most ${max} characters`)
    .superRefine((value, ctx) => {
      const found = forbiddenCharacterIn(value);
      if (found) ctx.addIssue({ code: 'custom', message: forbiddenCharacterMessage(keyword, found) });
    });

/** "unknown keyword "maxlength" (did you mean "maxLength"?)", with the keywords this kind takes. */
function unknownKeywords(keys: readonly string[], allowed: readonly string[], what: string): string {
  const names = keys.map((key) => {
    const near = allowed.find((name) => name.toLowerCase() === key.toLowerCase());
    return `"${spellOutForbidden(key)}"${near ? ` (did you mean "${near}"?)` : ''}`;
  });
  return `unknown keyword${keys.length === 1 ? '' : 's'} ${names.join(', ')}: ${what} may have ${allowed.join(', ')}`;
}

/** A strict object: a typo such as `maxlength` is reported, not ignored. */
function keywords<Shape extends z.ZodRawShape>(shape: Shape, what: string, example = PROPERTY_EXAMPLE) {
  const allowed = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') return unknownKeywords(issue.keys, allowed, what);
      if (issue.code === 'invalid_type') return `must be an object such as ${example}`;
      return undefined;
    },
  });
}

const title = optional(schemaText('title', DECISION_TITLE_MAX));
const description = optional(schemaText('description', DECISION_DESCRIPTION_MAX));

const enumList = <T extends z.ZodType>(entry: T) =>
  optional(
    z
      .array(entry, { error: 'must be a list of values' })
      .min(1, 'must list at least one value')
      .max(DECISION_ENUM_MAX, `must list at most ${DECISION_ENUM_MAX} values`),
  );

const stringProperty = keywords(
  {
    type: z.literal('string'),
    title,
    description,
    enum: enumList(z.string({ error: 'must be text' })),
    maxLength: optional(
      z
        .number({ error: 'must be a number' })
        // Aborting: a bad maxLength is reported once, not against every enum entry and the default too.
        .int({ error: 'must be a whole number', abort: true })
        .min(1, { error: 'must be at least 1', abort: true })
        .max(DECISION_STRING_MAX, { error: `must be at most ${DECISION_STRING_MAX}`, abort: true }),
    ),
    default: optional(z.string({ error: 'must be text' })),
  },
  'a string property',
);

const numberProperty = keywords(
  {
    type: z.enum(['number', 'integer']),
    title,
    description,
    minimum: optional(z.number({ error: 'must be a number' })),
    maximum: optional(z.number({ error: 'must be a number' })),
    enum: enumList(z.number({ error: 'must be a number' })),
    default: optional(z.number({ error: 'must be a number' })),
  },
  'a number property',
);

const booleanProperty = keywords(
  { type: z.literal('boolean'), title, description, default: optional(z.boolean({ error: 'must be true or false' })) },
  'a boolean property',
);

const objectProperty = keywords(
  {
    type: z.literal('object'),
    title,
    description,
    // JSON-ness, size and characters are checked with the other defaults, below.
    default: optional(z.custom<JsonObject>(isPlainObject, { error: 'must be a JSON object' })),
  },
  'an object property',
);

/** One property: its kind, and checks across its keywords (bounds, enum, default). */
const propertySchema = z
  .discriminatedUnion('type', [stringProperty, numberProperty, booleanProperty, objectProperty], {
    error: (issue) => {
      if (issue.code === 'invalid_union') return `must be one of ${PROPERTY_TYPES.join(', ')}`;
      if (issue.code === 'invalid_type') return `must be an object such as ${PROPERTY_EXAMPLE}`;
      return undefined;
    },
  })
  .superRefine((property, ctx) => {
    if (property.type === 'number' || property.type === 'integer') {
      const { minimum, maximum } = property;
      if (property.type === 'integer') {
        // A browser steps an integer input from its minimum: a fractional bound would make whole numbers invalid.
        for (const [keyword, bound] of [
          ['minimum', minimum],
          ['maximum', maximum],
        ] as const) {
          if (bound !== undefined && !Number.isInteger(bound)) {
            ctx.addIssue({ code: 'custom', path: [keyword], message: 'must be a whole number for an integer property' });
          }
        }
      }
      if (minimum !== undefined && maximum !== undefined && minimum > maximum) {
        ctx.addIssue({ code: 'custom', path: ['minimum'], message: 'must not be more than maximum' });
      }
    }
    if ((property.type === 'string' || property.type === 'number' || property.type === 'integer') && property.enum) {
      const entries: readonly (string | number)[] = property.enum;
      const seen = new Set<string | number>();
      entries.forEach((entry, index) => {
        const path = ['enum', index];
        if (seen.has(entry)) ctx.addIssue({ code: 'custom', path, message: `lists ${quote(entry)} twice` });
        seen.add(entry);
        if (entry === '') {
          ctx.addIssue({ code: 'custom', path, message: 'must not be empty text' });
          return;
        }
        const problem = valueProblem(property, entry, undefined, { enum: false, forbiddenSubject: 'an enum entry' });
        if (problem) ctx.addIssue({ code: 'custom', path, message: problem });
      });
    }
    if (property.default !== undefined) {
      const problem = valueProblem(property, property.default, undefined, { forbiddenSubject: 'the default' });
      if (problem) ctx.addIssue({ code: 'custom', path: ['default'], message: problem });
    }
  });

export type DecisionProperty =
  | {
      type: 'string';
      title?: string;
      description?: string;
      enum?: string[];
      maxLength?: number;
      default?: string;
    }
  | {
      type: 'number' | 'integer';
      title?: string;
      description?: string;
      minimum?: number;
      maximum?: number;
      enum?: number[];
      default?: number;
    }
  | { type: 'boolean'; title?: string; description?: string; default?: boolean }
  | { type: 'object'; title?: string; description?: string; default?: JsonObject };

/**
 * The properties, by name. Checked one by one (rather than as a zod record) so
 * that a bad name, a reserved name and too many properties are each reported,
 * and so that `__proto__` is refused rather than silently dropped.
 */
const propertiesSchema = z.unknown().transform((input, ctx): Record<string, DecisionProperty> => {
  if (!isPlainObject(input)) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be an object mapping each name to its property, such as { "amount": { "type": "number" } }',
    });
    return z.NEVER;
  }
  const names = Object.keys(input);
  if (names.length === 0) ctx.addIssue({ code: 'custom', message: 'must name at least one property' });
  if (names.length > DECISION_PROPERTIES_MAX) {
    ctx.addIssue({ code: 'custom', message: `must have at most ${DECISION_PROPERTIES_MAX} properties, not ${names.length}` });
  }
  const output: Record<string, DecisionProperty> = {};
  for (const name of names) {
    if (!DECISION_NAME_PATTERN.test(name)) {
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: 'the name must start with a letter or _ and hold only letters, digits and _ (at most 64 characters)',
      });
      continue;
    }
    if (RESERVED_NAMES.has(name)) {
      ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is reserved: choose another name` });
      continue;
    }
    const parsed = propertySchema.safeParse(input[name]);
    if (parsed.success) output[name] = parsed.data;
    else for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: [name, ...issue.path], message: issue.message });
  }
  return output;
});

/** A decision schema: the fields a reviewer fills in to approve. */
export const decisionSchemaSchema = keywords(
  {
    type: z.literal('object', { error: 'must be "object"' }),
    title,
    description,
    properties: propertiesSchema,
    required: optional(z.array(z.string({ error: 'must be a property name' }), { error: 'must be a list of property names' })),
  },
  'a decision',
  '{ "type": "object", "properties": { "amount": { "type": "number" } } }',
).superRefine((schema, ctx) => {
  const seen = new Set<string>();
  (schema.required ?? []).forEach((name, index) => {
    const path = ['required', index];
    if (!hasOwn(schema.properties, name)) ctx.addIssue({ code: 'custom', path, message: `${quote(name)} is not one of the properties` });
    else if (seen.has(name)) ctx.addIssue({ code: 'custom', path, message: `lists ${quote(name)} twice` });
    seen.add(name);
  });
});

export type DecisionSchema = z.output<typeof decisionSchemaSchema>;

// ---------------------------------------------------------------------------
// Checking the values a decider sends
// ---------------------------------------------------------------------------

/**
 * The zod schema of the values for `schema`, as an API sends them (typed JSON):
 * each value checked against its property, required ones present, unknown names
 * refused. Issues have the property's name as their path and a message that
 * names the field by its title ("Amount must be at most 5000"). Null counts as
 * absent (Go without omitempty); an empty text counts as absent for a required
 * string. Defaults are not filled in: the values are what the decider chose.
 */
export function valuesSchemaOf(schema: DecisionSchema): z.ZodType<DecisionValues, unknown> {
  const fields = decisionFields(schema);
  return z.unknown().transform((input, ctx): DecisionValues => {
    if (input === undefined || input === null) input = {};
    if (!isPlainObject(input)) {
      ctx.addIssue({ code: 'custom', message: 'must be an object of values by field name' });
      return z.NEVER;
    }
    const values = input;
    for (const key of Object.keys(values)) {
      if (!hasOwn(schema.properties, key) || RESERVED_NAMES.has(key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `${quote(key)} is not a field of this decision` });
      }
    }
    const output: DecisionValues = {};
    for (const { name, property, required } of fields) {
      const label = decisionFieldLabel(name, property);
      const value = hasOwn(values, name) ? values[name] : undefined;
      const absent = value === undefined || value === null || (required && property.type === 'string' && value === '');
      if (absent) {
        if (required) ctx.addIssue({ code: 'custom', path: [name], message: `${label} is required` });
        continue;
      }
      const problem = valueProblem(property, value, label);
      if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
      else output[name] = value as DecisionValue;
    }
    return output;
  });
}

/**
 * Values of any decision, checked without its schema: names as a schema allows
 * them, each value text, a number, true/false or a JSON object, within the same
 * limits. For a result from a caller that may not know the schema (the result
 * and outcome schemas); null entries are dropped.
 */
export const decisionValuesSchema: z.ZodType<DecisionValues, unknown> = z.unknown().transform((input, ctx): DecisionValues => {
  if (!isPlainObject(input)) {
    ctx.addIssue({ code: 'custom', message: 'must be an object of values by field name' });
    return z.NEVER;
  }
  const names = Object.keys(input);
  if (names.length > DECISION_PROPERTIES_MAX) {
    ctx.addIssue({ code: 'custom', message: `must hold at most ${DECISION_PROPERTIES_MAX} values, not ${names.length}` });
  }
  const output: DecisionValues = {};
  for (const name of names) {
    if (!DECISION_NAME_PATTERN.test(name) || RESERVED_NAMES.has(name)) {
      ctx.addIssue({ code: 'custom', path: [name], message: `${quote(name)} is not a valid field name` });
      continue;
    }
    const value = input[name];
    if (value === undefined || value === null) continue;
    const kind: DecisionProperty | undefined =
      typeof value === 'string'
        ? { type: 'string' }
        : typeof value === 'number'
          ? { type: 'number' }
          : typeof value === 'boolean'
            ? { type: 'boolean' }
            : isPlainObject(value)
              ? { type: 'object' }
              : undefined;
    const problem = kind ? valueProblem(kind, value, name) : `${name} must be text, a number, true or false, or a JSON object`;
    if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
    else output[name] = value as DecisionValue;
  }
  return output;
});

// ---------------------------------------------------------------------------
// Reading the reviewer's form
// ---------------------------------------------------------------------------

export type DecisionFormResult = { ok: true; values: DecisionValues } | { ok: false; fieldErrors: Record<string, string> };

/** A number as a form sends it: digits, an optional sign, fraction and exponent; nothing else ("12abc", "0x1f", "Infinity"). */
const NUMBER_TEXT = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const CHECKED = new Set(['on', 'true', '1']);
const UNCHECKED = new Set(['', 'off', 'false', '0']);

/**
 * The values of a reviewer's form: text fields named `values.<name>` (`prefix`
 * then the name) read into typed values, then checked with valuesSchemaOf.
 * Numbers are read strictly; a checkbox is true when sent ("on", "true", "1")
 * and false when absent; an object is JSON text; an empty optional field is
 * left out. Errors are keyed by the form field's name (`values.amount`). With a
 * non-empty prefix, a `values.*` field that is not a property is refused.
 */
export function parseDecisionForm(schema: DecisionSchema, fields: Record<string, string>, prefix = 'values.'): DecisionFormResult {
  const fieldErrors: Record<string, string> = {};
  const typed: Record<string, unknown> = {};

  if (prefix) {
    for (const key of Object.keys(fields)) {
      if (!key.startsWith(prefix)) continue;
      const name = key.slice(prefix.length);
      if (!hasOwn(schema.properties, name) || RESERVED_NAMES.has(name)) fieldErrors[key] = `${quote(name)} is not a field of this decision`;
    }
  }

  for (const { name, property } of decisionFields(schema)) {
    const field = decisionFieldName(name, prefix);
    const label = decisionFieldLabel(name, property);
    const raw = hasOwn(fields, field) ? fields[field] : undefined;
    switch (property.type) {
      case 'string':
        // Browsers send a text area's line breaks as CRLF, and count them as one character.
        if (raw) typed[name] = raw.replace(/\r\n?/g, '\n');
        break;
      case 'number':
      case 'integer': {
        const text = raw?.trim() ?? '';
        if (text === '') break;
        const number = NUMBER_TEXT.test(text) ? Number(text) : Number.NaN;
        if (Number.isNaN(number)) fieldErrors[field] = `${label} must be ${property.type === 'integer' ? 'a whole number' : 'a number'}`;
        else typed[name] = number;
        break;
      }
      case 'boolean': {
        const text = raw?.trim().toLowerCase() ?? '';
        if (CHECKED.has(text)) typed[name] = true;
        else if (UNCHECKED.has(text)) typed[name] = false;
        else fieldErrors[field] = `${label} must be checked or unchecked`;
        break;
      }
      case 'object': {
        if (!raw?.trim()) break;
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw);
        } catch {
          fieldErrors[field] = `${label} must be a JSON object, such as {"key": "value"}: this text is not valid JSON`;
          break;
        }
        if (isPlainObject(parsed)) typed[name] = parsed;
        else fieldErrors[field] = `${label} must be a JSON object, such as {"key": "value"}`;
        break;
      }
    }
  }

  const checked = valuesSchemaOf(schema).safeParse(typed);
  if (!checked.success) {
    for (const issue of checked.error.issues) {
      const field = decisionFieldName(String(issue.path[0] ?? ''), prefix);
      fieldErrors[field] ??= issue.message;
    }
  }
  if (Object.keys(fieldErrors).length > 0 || !checked.success) return { ok: false, fieldErrors };
  return { ok: true, values: checked.data };
}
