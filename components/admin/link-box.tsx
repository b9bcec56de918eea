'use client';

import { useState } from 'react';

/** A set-password link, shown once: selectable, with a button that copies it. */
export function LinkBox({ link, label }: { link: string; label: string }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const id = `link-${link.slice(-8)}`;
  async function copy() {
    try {
      await navigator.clipboard.writeText(link);
      setCopied('yes');
    } catch {
      // No clipboard (an insecure origin, or permission refused): the field can still be selected by hand.
      setCopied('no');
    }
  }
  return (
    <div className="mt-2 space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      <div className="flex flex-wrap items-center gap-2">
        <input
          id={id}
          data-testid="password-link"
          readOnly
          value={link}
          onFocus={(event) => event.currentTarget.select()}
          className="min-w-0 flex-1 rounded-md border border-slate-300 bg-slate-50 px-2 py-1.5 font-mono text-xs"
        />
        <button
          type="button"
          onClick={() => void copy()}
          className="min-h-10 rounded-md border border-slate-300 px-3 py-1 text-sm font-medium text-slate-700 hover:bg-slate-50"
        >
          Copy
        </button>
      </div>
      <p aria-live="polite" className="min-h-5 text-xs text-slate-600">
        {copied === 'yes' ? 'Copied.' : copied === 'no' ? 'Could not copy: select the link and copy it by hand.' : ''}
      </p>
    </div>
  );
}
