// The embedded PostgreSQL that `npm run dev` starts. Production sets DATABASE_URL.
export const DEV_DB = {
  host: '127.0.0.1',
  port: Number(process.env.COUNTERSIGN_PG_PORT ?? 5433),
  user: 'countersign',
  password: 'countersign',
  database: 'countersign',
} as const;

export function databaseUrl(db: { host: string; port: number; user: string; password: string; database: string }): string {
  return `postgresql://${db.user}:${encodeURIComponent(db.password)}@${db.host}:${db.port}/${db.database}`;
}

export const DEFAULT_DATABASE_URL = databaseUrl(DEV_DB);
