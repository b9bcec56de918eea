// The values an approval carries when its request has a decision schema: from
// the request page's form (text fields), from an API caller (typed JSON), or,
// in a bulk approval, the schema's defaults. Checked on the server, always.
import { decisionDefaults, decisionSchemaSchema, parseDecisionForm, valuesSchemaOf, type DecisionValues } from '../../contract/decision';
import { InvalidValuesError } from '../errors';

export interface ValuesInput {
  /** The form's fields as sent (`values.<name>` among them). */
  valuesForm?: Record<string, string>;
  /** Typed values (an API caller). */
  values?: unknown;
}

const NEEDS_VALUES = 'This request asks for values that have no defaults: open it and fill them in.';

/**
 * The values to send with an approval, or undefined when the request has no
 * decision schema. Throws InvalidValuesError (422) with a message per field.
 * `request`: the stored request (JSON); its `decision` was validated on the way in.
 */
export function approvalValues(request: unknown, input: ValuesInput): DecisionValues | undefined {
  const raw = request && typeof request === 'object' ? (request as Record<string, unknown>).decision : undefined;
  if (raw === undefined || raw === null) {
    if (input.values !== undefined) throw new InvalidValuesError('This request takes no values.', {});
    return undefined;
  }
  const schema = decisionSchemaSchema.safeParse(raw);
  // Stored only after validation: an unreadable one means a stored row was changed by hand.
  if (!schema.success) throw new InvalidValuesError('This request’s decision form cannot be read; it cannot be approved here.', {});
  if (input.valuesForm) {
    const parsed = parseDecisionForm(schema.data, input.valuesForm);
    if (!parsed.ok) throw new InvalidValuesError('Please correct the highlighted values.', parsed.fieldErrors);
    return parsed.values;
  }
  const given = input.values ?? decisionDefaults(schema.data);
  const checked = valuesSchemaOf(schema.data).safeParse(given);
  if (!checked.success) {
    if (input.values === undefined) throw new InvalidValuesError(NEEDS_VALUES, {});
    const fieldErrors: Record<string, string> = {};
    for (const issue of checked.error.issues) fieldErrors[`values.${issue.path.map(String).join('.')}`] ??= issue.message;
    throw new InvalidValuesError(`The values do not fit this request’s form: ${Object.values(fieldErrors).join('; ')}`, fieldErrors);
  }
  return checked.data as DecisionValues;
}
