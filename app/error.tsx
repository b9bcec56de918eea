'use client';

// A page (or the signed-in layout) that failed to render (the database busy past its connect timeout,
// say) says so in words and offers a retry, instead of Next's bare error page.
export default function SignedInError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="space-y-3 rounded-lg border border-amber-200 bg-amber-50 p-6 text-amber-900">
      <p className="font-medium">Countersign could not load this page just now: it may be busy.</p>
      <p className="text-sm">Nothing was changed. Try again in a moment.</p>
      <button
        type="button"
        onClick={reset}
        className="min-h-10 rounded-md border border-amber-300 bg-white px-3 py-1 text-sm font-medium hover:bg-amber-100"
      >
        Try again
      </button>
    </div>
  );
}
