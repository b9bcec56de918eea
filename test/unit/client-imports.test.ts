// Browser components ('use client') never pull in, through any chain of value
// imports, a module that must not reach the browser: zod (its object parser
// probes for eval when a schema is created, and the pages' CSP refuses eval),
// Prisma, the Temporal SDK, or a server-only module.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const ROOT = path.resolve(__dirname, '..', '..');
const FORBIDDEN = [/^zod$/, /^@prisma\//, /^@temporalio\//, /^server-only$/, /^node:/];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

function resolveLocal(from: string, spec: string): string | null {
  const base = spec.startsWith('@/') ? path.join(ROOT, spec.slice(2)) : path.resolve(path.dirname(from), spec);
  for (const candidate of [`${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')]) if (fs.existsSync(candidate)) return candidate;
  return null;
}

/** The specifiers a file imports as values (an import whose every name is `type` is erased, so it does not count). */
function valueImports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs: string[] = [];
  for (const match of text.matchAll(/^import\s+(?!type\b)([\s\S]*?)\s+from\s+'([^']+)';/gm)) {
    const names = match[1] ?? '';
    const typeOnly =
      names.startsWith('{') &&
      names
        .replace(/[{}\s]/g, ' ')
        .split(',')
        .every((name) => name.trim() === '' || name.trim().startsWith('type '));
    if (!typeOnly && match[2]) specs.push(match[2]);
  }
  for (const match of text.matchAll(/^import\s+'([^']+)';/gm)) if (match[1]) specs.push(match[1]);
  return specs;
}

function forbiddenChains(entry: string): string[] {
  const found: string[] = [];
  const seen = new Set<string>([entry]);
  const walk = (file: string, chain: string[]) => {
    for (const spec of valueImports(file)) {
      const local = spec.startsWith('.') || spec.startsWith('@/') ? resolveLocal(file, spec) : null;
      if (local === null) {
        if (FORBIDDEN.some((pattern) => pattern.test(spec))) found.push([...chain, spec].join(' -> '));
        continue;
      }
      if (seen.has(local)) continue;
      seen.add(local);
      walk(local, [...chain, path.relative(ROOT, local)]);
    }
  };
  walk(entry, [path.relative(ROOT, entry)]);
  return found;
}

test('no browser component reaches zod, Prisma, Temporal, Node or a server-only module', () => {
  const clients = [...sourceFiles(path.join(ROOT, 'components')), ...sourceFiles(path.join(ROOT, 'app'))].filter((file) =>
    /^\s*(\/\/[^\n]*\n\s*)*['"]use client['"]/.test(fs.readFileSync(file, 'utf8')),
  );
  assert.ok(clients.length > 10, `found the client components (${clients.length})`);
  assert.deepEqual(clients.flatMap(forbiddenChains), []);
});

test('the check sees a chain: the request page form reached zod through the decision fields before they were split', () => {
  // decision.ts builds zod schemas; a component importing it would be flagged.
  assert.ok(valueImports(path.join(ROOT, 'lib/contract/decision.ts')).includes('zod'));
  assert.deepEqual(
    valueImports(path.join(ROOT, 'components/request/decision-values-fields.tsx')).filter((spec) => spec.endsWith('/decision')),
    [],
  );
});
