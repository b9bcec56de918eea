// Next.js builds app/, components/ and lib/ only; worker/ runs under `npm run worker`.
/** @type {import('next').NextConfig} */
const nextConfig = {
  // The tests build into their own folder so a running `npm run dev` is left alone.
  distDir: process.env.NEXT_DIST_DIR || '.next',
  poweredByHeader: false,
  // Errors still open the overlay; the badge only clutters screenshots.
  devIndicators: false,
  // The Content-Security-Policy is proxy.ts's: it carries a nonce per request.
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
          // Production serves over https only (lib/env.ts refuses an http NEXTAUTH_URL there): browsers
          // remember it. They ignore the header on plain http, as on the e2e suite's loopback server.
          ...(process.env.NODE_ENV === 'production'
            ? [{ key: 'Strict-Transport-Security', value: 'max-age=31536000; includeSubDomains' }]
            : []),
        ],
      },
    ];
  },
};

module.exports = nextConfig;
