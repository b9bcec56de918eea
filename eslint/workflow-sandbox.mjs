// ESLint plugin: workflow code imports only what is on an allow-list, and so does
// every project file it imports, followed transitively. Temporal replays workflows
// in a deterministic sandbox; one import of a server module anywhere below a
// workflow puts a database connection (or the clock, or process.env) in the bundle.
import fs from 'node:fs';
import path from 'node:path';

const CODE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts'];

/** `./x.js` in TypeScript source names `./x.ts` on disk. */
const JS_TO_TS = { '.js': ['.ts', '.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] };

const isLocal = (source) => source.startsWith('.') || source.startsWith('/') || source.startsWith('@/');

const isFile = (file) => {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
};

/** The project root is the nearest folder above the file with a package.json (`@/` and `folders` are relative to it). */
const rootCache = new Map();
function projectRoot(file) {
  const dir = path.dirname(file);
  if (!rootCache.has(dir)) {
    const parent = path.dirname(dir);
    rootCache.set(dir, isFile(path.join(dir, 'package.json')) || parent === dir ? dir : projectRoot(dir));
  }
  return rootCache.get(dir);
}

/** The file a relative or `@/` import names, as a bundler would find it; `undefined` if there is none. */
function resolveLocal(source, fromFile, root) {
  const base = source.startsWith('@/') ? path.join(root, source.slice(2)) : path.resolve(path.dirname(fromFile), source);
  const ext = path.extname(base);
  const candidates = [
    base,
    ...(JS_TO_TS[ext] ?? []).map((tsExt) => base.slice(0, -ext.length) + tsExt),
    ...CODE_EXTENSIONS.map((codeExt) => base + codeExt),
    ...CODE_EXTENSIONS.map((codeExt) => path.join(base, `index${codeExt}`)),
  ];
  return { base, file: candidates.find(isFile) };
}

const isInside = (file, folder) => {
  const relative = path.relative(folder, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
};

const display = (file, root) => path.relative(root, file).split(path.sep).join('/');

/**
 * The imports of a module that survive compilation, in source order: type-only
 * imports and re-exports are erased, so they are skipped.
 * @returns {{ node: object, source: string | undefined, kind: 'static' | 'dynamic' }[]}
 */
function valueImports(ast) {
  const found = [];
  const visit = (node) => {
    switch (node.type) {
      case 'ImportDeclaration':
        if (node.importKind !== 'type' && !allTypeOnly(node.specifiers, 'importKind', 'ImportSpecifier')) {
          found.push({ node, source: node.source.value, kind: 'static' });
        }
        return;
      case 'ExportNamedDeclaration':
        if (node.source && node.exportKind !== 'type' && !allTypeOnly(node.specifiers, 'exportKind', 'ExportSpecifier')) {
          found.push({ node, source: node.source.value, kind: 'static' });
        }
        break;
      case 'ExportAllDeclaration':
        if (node.exportKind !== 'type') found.push({ node, source: node.source.value, kind: 'static' });
        return;
      case 'TSImportEqualsDeclaration':
        if (node.importKind !== 'type' && node.moduleReference.type === 'TSExternalModuleReference') {
          found.push({ node, source: node.moduleReference.expression.value, kind: 'static' });
        }
        return;
      case 'ImportExpression':
        found.push({ node, source: literal(node.source), kind: 'dynamic' });
        break;
      case 'CallExpression':
        if (node.callee.type === 'Identifier' && node.callee.name === 'require') {
          found.push({ node, source: literal(node.arguments[0]), kind: 'dynamic' });
        }
        break;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === 'parent' || key === 'loc' || key === 'range' || key === 'tokens' || key === 'comments') continue;
      for (const child of Array.isArray(value) ? value : [value]) {
        if (child && typeof child.type === 'string') visit(child);
      }
    }
  };
  visit(ast);
  return found;
}

/** `import { type A, type B } from 'x'` is erased whole; `import 'x'` (no specifiers) is not. */
const allTypeOnly = (specifiers, kindKey, specifierType) =>
  specifiers.length > 0 && specifiers.every((s) => s.type === specifierType && s[kindKey] === 'type');

const literal = (node) => (node?.type === 'Literal' && typeof node.value === 'string' ? node.value : undefined);

/** Parsed imports of files reached transitively, re-read when the file changes (editors keep ESLint running). */
const importCache = new Map();
function importsOfFile(file, parser) {
  const stat = fs.statSync(file);
  const cached = importCache.get(file);
  if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.imports;
  const options = { sourceType: 'module', ecmaVersion: 'latest', loc: true, range: true, filePath: file, jsx: file.endsWith('.tsx') };
  const code = fs.readFileSync(file, 'utf8');
  const ast = typeof parser.parse === 'function' ? parser.parse(code, options) : parser.parseForESLint(code, options).ast;
  const imports = valueImports(ast).map(({ source, kind }) => ({ source, kind }));
  importCache.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, imports });
  return imports;
}

/** @type {import('eslint').Rule.RuleModule} */
const allowedImports = {
  meta: {
    type: 'problem',
    docs: {
      description:
        'Workflow code, and every file it imports (followed transitively), may import only the allowed packages, files in the allowed folders, and types.',
    },
    schema: [
      {
        type: 'object',
        properties: {
          packages: { type: 'array', items: { type: 'string' }, uniqueItems: true },
          folders: { type: 'array', items: { type: 'string' }, uniqueItems: true },
        },
        required: ['packages', 'folders'],
        additionalProperties: false,
      },
    ],
    messages: {
      notAllowed: "Workflow code may not import '{{source}}'{{resolved}}. {{why}}",
      notAllowedIndirect:
        "Workflow code may not import '{{source}}': {{chain}} imports '{{bad}}'{{resolved}}, which is not on the allow-list. {{why}}",
      dynamic:
        'Workflow code may not use import() or require(): the workflow bundle is built from static imports, and this would escape the allow-list. {{why}}',
      dynamicIndirect:
        "Workflow code may not import '{{source}}': {{chain}} uses import() or require(), which escapes the allow-list. {{why}}",
      unreadable: "Could not read '{{file}}' (imported through '{{source}}') to check what it imports: {{error}}",
    },
  },
  create(context) {
    const [{ packages, folders }] = context.options;
    const file = context.physicalFilename;
    const root = projectRoot(file);
    const allowedFolders = folders.map((folder) => path.resolve(root, folder));
    const parser = context.languageOptions.parser;
    const allowed = [...packages.map((name) => `'${name}'`), `files under ${folders.map((f) => `${f}/`).join(' or ')}`].join(', ');
    const why =
      `Temporal replays workflows in a deterministic sandbox, so a workflow file and every file it imports may import only ${allowed}, ` +
      "and any module as a type only (`import type { Activities } from './activities'`). " +
      'Do I/O (database, network, files, env, clocks) in an activity (worker/activities.ts) called through proxyActivities, and move pure shared code to lib/contract/.';

    /** Whether `source`, imported from `fromFile`, is on the allow-list; if it is a project file, which one (to follow). */
    const check = (source, fromFile) => {
      if (packages.includes(source)) return { ok: true };
      if (!isLocal(source)) return { ok: false };
      const { base, file: target } = resolveLocal(source, fromFile, root);
      const ok = allowedFolders.some((folder) => isInside(target ?? base, folder));
      return { ok, target, resolved: target ? ` (${display(target, root)})` : '' };
    };

    /** The first import below `target` that is not allowed, depth first in source order; `undefined` if none. */
    const findIndirect = (target, chain, seen) => {
      seen.add(target);
      let imports;
      try {
        imports = importsOfFile(target, parser);
      } catch (error) {
        return { messageId: 'unreadable', data: { file: display(target, root), error: error.message } };
      }
      for (const { source, kind } of imports) {
        const via = [...chain, display(target, root)].join(' → ');
        if (kind === 'dynamic') return { messageId: 'dynamicIndirect', data: { chain: via } };
        const result = check(source, target);
        if (!result.ok) return { messageId: 'notAllowedIndirect', data: { chain: via, bad: source, resolved: result.resolved ?? '' } };
        if (result.target && !seen.has(result.target)) {
          const found = findIndirect(result.target, [...chain, display(target, root)], seen);
          if (found) return found;
        }
      }
      return undefined;
    };

    return {
      Program(program) {
        for (const { node, source, kind } of valueImports(program)) {
          if (kind === 'dynamic') {
            context.report({ node, messageId: 'dynamic', data: { why } });
            continue;
          }
          const result = check(source, file);
          if (!result.ok) {
            context.report({ node, messageId: 'notAllowed', data: { source, resolved: result.resolved ?? '', why } });
            continue;
          }
          if (!result.target) continue;
          const found = findIndirect(result.target, [], new Set([file]));
          if (found) context.report({ node, messageId: found.messageId, data: { source, why, ...found.data } });
        }
      },
    };
  },
};

export default {
  meta: { name: 'workflow-sandbox' },
  rules: { 'allowed-imports': allowedImports },
};
