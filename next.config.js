// Next.js builds app/, components/ and lib/ only; worker/ runs under `npm run worker`.
/** @type {import('next').NextConfig} */
const nextConfig = {
  // The tests build into their own folder so a running `npm run dev` is left alone.
  distDir: process.env.NEXT_DIST_DIR || '.next',
  poweredByHeader: false,
  // Errors still open the overlay; the badge only clutters screenshots.
  devIndicators: false,
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
        ],
      },
    ];
  },
};

module.exports = nextConfig;
