// Prisma CLI configuration. The CLI runs in JS mode through a driver adapter:
// the native engines cannot be downloaded here, and are not needed.
import path from 'node:path';
import { defineConfig } from 'prisma/config';
// migrate deploy through @prisma/adapter-pg 6.x fails on PostgreSQL
// (prisma/orm#27403); the 7.x adapter, installed under an alias, works. The
// runtime client keeps 6.19.3.
import { PrismaPg } from 'adapter-pg-migrate';
import { DEFAULT_DATABASE_URL } from './lib/database-url';

// Prisma loads no .env when a config file exists, and silently falls back to
// the (undownloadable) native engine if the URL is missing: always set it.
process.env.DATABASE_URL ??= DEFAULT_DATABASE_URL;

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  async adapter() {
    return new PrismaPg({ connectionString: process.env.DATABASE_URL });
  },
});
