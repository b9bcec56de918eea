import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Countersign', template: '%s · Countersign' },
  description: 'Approvals for Temporal workflows',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

// Every page, the 404 too, renders per request: a prerendered one could not carry the nonce of
// the request's Content-Security-Policy (proxy.ts), and the browser would refuse its scripts.
export const dynamic = 'force-dynamic';

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">{children}</body>
    </html>
  );
}
