import {
  DECISION_SINGLE_LINE_MAX,
  DECISION_STRING_MAX,
  decisionDefaults,
  decisionFieldLabel,
  decisionFieldName,
  decisionFields,
  decisionValueText,
  type DecisionProperty,
  type DecisionSchema,
  type DecisionValues,
} from '@/lib/contract/decision-fields';

const input = 'mt-1 w-full rounded-md border border-slate-300 px-3 py-2 aria-invalid:border-red-600';
const CHECKED = new Set(['on', 'true', '1']);

interface FieldProps {
  id: string;
  name: string;
  property: DecisionProperty;
  required: boolean;
  /** The text the field starts with ('' for none; for a checkbox, "true" when checked). */
  text: string;
  describedBy: string | undefined;
  invalid: boolean;
}

/** The control for one property: a select for an enum, a number input, a checkbox, a JSON text area, or text. */
function Control({ id, name, property, required, text, describedBy, invalid }: FieldProps) {
  const common = { id, name, 'aria-describedby': describedBy, 'aria-invalid': invalid || undefined };
  switch (property.type) {
    case 'boolean':
      return <input type="checkbox" value="true" defaultChecked={CHECKED.has(text)} className="h-5 w-5" {...common} />;
    case 'object':
      return (
        <textarea
          rows={Math.min(12, Math.max(3, text.split('\n').length))}
          required={required}
          spellCheck={false}
          defaultValue={text}
          placeholder='{"key": "value"}'
          className={`${input} font-mono text-sm`}
          {...common}
        />
      );
    case 'number':
    case 'integer':
    case 'string': {
      if (property.enum) {
        const options = property.enum.map(String);
        return (
          <select required={required} defaultValue={text} className={input} {...common}>
            {/* No value yet, or none is an answer: an empty first option (a required select refuses it). */}
            {!required || !options.includes(text) ? <option value="">{required ? 'Choose…' : '—'}</option> : null}
            {options.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
        );
      }
      if (property.type !== 'string') {
        return (
          <input
            type="number"
            min={property.minimum}
            max={property.maximum}
            step={property.type === 'integer' ? 1 : 'any'}
            required={required}
            defaultValue={text}
            className={input}
            {...common}
          />
        );
      }
      const maxLength = property.maxLength ?? DECISION_STRING_MAX;
      // A one-line input, unless the schema lets the text run long.
      return property.maxLength !== undefined && property.maxLength > DECISION_SINGLE_LINE_MAX ? (
        <textarea rows={3} maxLength={maxLength} required={required} defaultValue={text} className={input} {...common} />
      ) : (
        <input type="text" maxLength={maxLength} required={required} defaultValue={text} className={input} {...common} />
      );
    }
  }
}

/**
 * The inputs of a request's decision schema, inside the reviewer's <form>: one
 * labelled field per property, named `values.<name>` (read back with
 * parseDecisionForm), started with `values` (say, the request's proposed values)
 * over the schema's defaults. After a refused submission pass `submitted` (the
 * form's text fields as sent) to show what the reviewer wrote, and `fieldErrors`
 * (keyed `values.<name>`) to show why. The fields are uncontrolled: give the
 * component a new `key` to start them over from new values.
 */
export function DecisionValuesFields({
  schema,
  values,
  fieldErrors,
  submitted,
  disabled,
  idPrefix = 'decision-values',
  namePrefix = 'values.',
}: {
  schema: DecisionSchema;
  values?: DecisionValues;
  fieldErrors?: Record<string, string>;
  /** The form's text fields as last sent; they take the place of `values`, and an absent checkbox is unchecked. */
  submitted?: Record<string, string>;
  disabled?: boolean;
  idPrefix?: string;
  /** The prefix of each field's name, as parseDecisionForm is given it. */
  namePrefix?: string;
}) {
  const start: DecisionValues = { ...decisionDefaults(schema), ...values };
  return (
    <fieldset disabled={disabled} className="space-y-3">
      {schema.title ? (
        <legend className="text-sm font-semibold text-slate-900">{schema.title}</legend>
      ) : (
        <legend className="sr-only">Decision values</legend>
      )}
      {schema.description ? <p className="text-sm text-slate-600">{schema.description}</p> : null}
      {decisionFields(schema).map(({ name, property, required }) => {
        const id = `${idPrefix}-${name}`;
        const field = decisionFieldName(name, namePrefix);
        const label = decisionFieldLabel(name, property);
        const error = fieldErrors?.[field];
        const descriptionId = property.description ? `${id}-description` : undefined;
        const errorId = `${id}-error`;
        const describedBy = [descriptionId, error ? errorId : undefined].filter(Boolean).join(' ') || undefined;
        const text = submitted
          ? ((Object.prototype.hasOwnProperty.call(submitted, field) ? submitted[field] : undefined) ?? '')
          : decisionValueText(property, Object.prototype.hasOwnProperty.call(start, name) ? start[name] : undefined);
        const hint = [required ? '' : 'optional', property.type === 'object' ? 'JSON object' : ''].filter(Boolean).join(', ');
        const control = <Control {...{ id, name: field, property, required, text, describedBy, invalid: Boolean(error) }} />;
        return (
          <div key={name}>
            {property.type === 'boolean' ? (
              <label htmlFor={id} className="flex min-h-10 items-center gap-2 text-sm font-medium text-slate-700">
                {control} {label}
              </label>
            ) : (
              <>
                <label htmlFor={id} className="block text-sm font-medium text-slate-700">
                  {label}
                  {hint ? <span className="font-normal text-slate-500"> ({hint})</span> : null}
                </label>
                {control}
              </>
            )}
            {property.description ? (
              <p id={descriptionId} className="mt-1 text-sm text-slate-500">
                {property.description}
              </p>
            ) : null}
            <p id={errorId} aria-live="polite" className="mt-1 min-h-5 text-sm text-red-700">
              {error}
            </p>
          </div>
        );
      })}
    </fieldset>
  );
}
