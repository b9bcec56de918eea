'use client';

// The inbox's keyboard shortcuts, and the modal dialog they (and the decide
// dialog) open in: a native <dialog> shown modally, so the page behind is
// inert and Esc closes it; Tab is kept inside, and focus goes back where it was.
import { useEffect, useRef, type KeyboardEvent, type ReactNode } from 'react';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), textarea:not([disabled]), select:not([disabled]), [tabindex]:not([tabindex="-1"])';

function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.getClientRects().length > 0);
}

export function ModalDialog({
  open,
  onClose,
  labelledBy,
  testId,
  children,
}: {
  open: boolean;
  /** Called however it closed: Esc, a button, or the parent. */
  onClose: () => void;
  labelledBy: string;
  testId?: string;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const returnTo = useRef<HTMLElement | null>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      returnTo.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      dialog.showModal();
      (dialog.querySelector<HTMLElement>('[data-autofocus]') ?? focusables(dialog)[0])?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }, [open]);

  function handleClose() {
    onClose();
    const target = returnTo.current;
    returnTo.current = null;
    if (target?.isConnected) target.focus();
  }

  // showModal makes the page inert, but Tab can still leave for the browser's own UI: keep it in the dialog.
  function trapTab(event: KeyboardEvent<HTMLDialogElement>) {
    if (event.key !== 'Tab' || !ref.current) return;
    const items = focusables(ref.current);
    const first = items[0];
    const last = items.at(-1);
    if (!first || !last) return;
    const active = document.activeElement;
    if (event.shiftKey && (active === first || !ref.current.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first.focus();
    }
  }

  return (
    <dialog
      ref={ref}
      aria-labelledby={labelledBy}
      data-testid={testId}
      onClose={handleClose}
      onKeyDown={trapTab}
      className="m-auto w-[min(32rem,calc(100vw-2rem))] rounded-lg border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/40"
    >
      {open && children}
    </dialog>
  );
}

/** The shortcuts, as the help dialog lists them. */
const SHORTCUTS: readonly { keys: readonly string[]; action: string }[] = [
  { keys: ['j', '↓'], action: 'Next request' },
  { keys: ['k', '↑'], action: 'Previous request' },
  { keys: ['o', 'Enter'], action: 'Open the current request' },
  { keys: ['x'], action: 'Select or unselect the current request' },
  { keys: ['a'], action: 'Approve the selected requests, or the current one (asks first; optional comment)' },
  { keys: ['r'], action: 'Reject the selected requests, or the current one (asks for the reason)' },
  { keys: ['?'], action: 'Show these shortcuts' },
  { keys: ['Esc'], action: 'Close a dialog' },
];

export function ShortcutsHelp({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <ModalDialog open={open} onClose={onClose} labelledBy="shortcuts-heading" testId="shortcuts-help">
      <div className="space-y-4 p-5">
        <h2 id="shortcuts-heading" className="text-lg font-semibold">
          Keyboard shortcuts
        </h2>
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
          {SHORTCUTS.map(({ keys, action }) => (
            <div key={action} className="contents">
              <dt className="whitespace-nowrap">
                {keys.map((key, i) => (
                  <span key={key}>
                    {i > 0 && <span className="text-slate-500"> or </span>}
                    <kbd className="rounded border border-slate-300 bg-slate-50 px-1.5 py-0.5 font-mono text-xs">{key}</kbd>
                  </span>
                ))}
              </dt>
              <dd>{action}</dd>
            </div>
          ))}
        </dl>
        <p className="text-sm text-slate-600">Shortcuts do nothing while you type in a field, or with Ctrl, Alt or ⌘ held.</p>
        <div className="flex justify-end">
          <button
            type="button"
            data-autofocus
            onClick={onClose}
            className="min-h-10 rounded-md border border-slate-300 px-4 py-2 font-medium text-slate-700 hover:bg-slate-50"
          >
            Close
          </button>
        </div>
      </div>
    </ModalDialog>
  );
}
