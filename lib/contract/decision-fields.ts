// Reading a decision schema without zod: its fields, labels, form names,
// defaults and values as text. Browser components import this file, never
// ./decision.ts: zod's object parser probes for eval when a schema is created,
// and the pages' CSP (no unsafe-eval) reports it.
import type { DecisionProperty, DecisionSchema } from './decision';

export type { DecisionProperty, DecisionSchema };

/** The ceiling of a string property's `maxLength`, and the limit of a string without one. */
export const DECISION_STRING_MAX = 10_000;
/** A string property whose maxLength is above this is edited in a text area; others (and one without maxLength) in a one-line input. */
export const DECISION_SINGLE_LINE_MAX = 200;

/** A JSON value, as an object property holds it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
/** One value of a decision: text, a number, true/false, or a JSON object. */
export type DecisionValue = string | number | boolean | JsonObject;
export type DecisionValues = Record<string, DecisionValue>;

// ---------------------------------------------------------------------------
// Reading a schema
// ---------------------------------------------------------------------------

/** The properties in their order, each with its name and whether it is required. */
export function decisionFields(schema: DecisionSchema): { name: string; property: DecisionProperty; required: boolean }[] {
  const required = new Set(schema.required ?? []);
  return Object.keys(schema.properties).flatMap((name) => {
    const property = schema.properties[name];
    return property ? [{ name, property, required: required.has(name) }] : [];
  });
}

/** What a person reads for a property: its title, else its name. */
export const decisionFieldLabel = (name: string, property: DecisionProperty) => property.title?.trim() || name;

/** The form field that holds a property: `values.amount`. */
export const decisionFieldName = (name: string, prefix = 'values.') => `${prefix}${name}`;

/** The values a schema starts with: each property's default, where it has one. */
export function decisionDefaults(schema: DecisionSchema): DecisionValues {
  const values: DecisionValues = {};
  for (const { name, property } of decisionFields(schema)) {
    if (property.default === undefined) continue;
    // A copy: the caller may change an object default without changing the schema.
    values[name] = property.type === 'object' ? (JSON.parse(JSON.stringify(property.default)) as JsonObject) : property.default;
  }
  return values;
}

/**
 * A value as a form field holds it: numbers as digits, objects as indented JSON,
 * booleans as "true"/"false"; undefined as ''.
 */
export function decisionValueText(property: DecisionProperty, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (property.type === 'object' || (typeof value === 'object' && value !== null)) {
    try {
      return JSON.stringify(value, null, 2) ?? '';
    } catch {
      return '';
    }
  }
  return String(value);
}
