import type { Config } from 'tailwindcss';

const config: Config = {
  content: ['./app/**/*.{ts,tsx}', './components/**/*.{ts,tsx}'],
  theme: {
    extend: {
      colors: {
        brand: { 50: '#eef6ff', 100: '#d9eaff', 500: '#2f6fed', 600: '#1f57c7', 700: '#1b469c', 900: '#15274f' },
      },
    },
  },
};

export default config;
