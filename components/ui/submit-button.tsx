import type { ButtonHTMLAttributes } from 'react';

type SubmitButtonProps = {
  /** This button's form is being sent. */
  pending: boolean;
  label: string;
  /** Shown instead of the label while the form is being sent, e.g. "Approving…". */
  pendingLabel: string;
  /** Defaults to `pending`; pass more when another form nearby is being sent too. */
  disabled?: boolean;
} & Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'type' | 'disabled' | 'children'>;

/** A form's submit button that says what it is doing while its form is being sent, and cannot be pressed twice meanwhile. */
export function SubmitButton({ pending, label, pendingLabel, disabled = pending, ...button }: SubmitButtonProps) {
  return (
    <button type="submit" disabled={disabled} {...button}>
      {pending ? pendingLabel : label}
    </button>
  );
}

/** A form of one button that sends one request's id to an action (claim, release). */
export function RequestButtonForm({
  action,
  approvalId,
  ...button
}: { action: (formData: FormData) => void; approvalId: string } & SubmitButtonProps) {
  return (
    <form action={action}>
      <input type="hidden" name="id" value={approvalId} />
      <SubmitButton {...button} />
    </form>
  );
}
