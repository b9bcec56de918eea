// `npm run user -- --email E --role admin|reviewer [--name N] [--group a,b]`:
// creates a user, in existing groups.
// This is how a production deployment gets its users: its start creates none,
// so no known password exists there. The password comes from
// COUNTERSIGN_PASSWORD or a prompt, never from a flag (flags end up in shell
// history and in `ps`).
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { Prisma } from '@prisma/client';
import { createDb } from '../lib/db';
import { databaseEnv } from '../lib/env';
import { newUserSchema, PASSWORD_MIN } from '../lib/auth/users';
import { createUserWithGroups, DirectoryError, groupNameSchema, requireGroups } from '../lib/directory';

const USAGE = `Usage: npm run user -- --email EMAIL --role admin|reviewer [--name NAME] [--group GROUP,GROUP]
--group: groups the user joins (they must exist; create them on the Groups page). May be repeated.
The password is read from COUNTERSIGN_PASSWORD, else asked for (at least ${PASSWORD_MIN} characters).`;

/** Bad input: the message is shown as is (with the usage when it is about the flags), exit code 2. */
class UsageError extends Error {
  constructor(
    message: string,
    readonly showUsage = false,
  ) {
    super(message);
  }
}

/** Ctrl-C at the prompt (raw mode turns it into a character, not a signal). */
class Cancelled extends Error {}

const ROLES: Record<string, 'ADMIN' | 'REVIEWER'> = { admin: 'ADMIN', reviewer: 'REVIEWER' };

function readFlags(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        email: { type: 'string' },
        role: { type: 'string' },
        name: { type: 'string' },
        group: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), true);
  }
}

/** `--group a,b --group c`: the names, each a valid group name (usage error naming a bad one). */
function readGroups(values: string[] | undefined): string[] {
  const names = (values ?? []).flatMap((value) => value.split(',')).map((name) => name.trim());
  for (const name of names) {
    const checked = groupNameSchema.safeParse(name);
    if (!checked.success)
      throw new UsageError(`--group ${JSON.stringify(name)}: ${checked.error.issues[0]?.message ?? 'not a group name'}`, true);
  }
  return [...new Set(names)];
}

function describeIssues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  return error.issues.map((issue) => `  ${issue.path.map(String).join('.') || 'user'}: ${issue.message}`).join('\n');
}

/** Reads a password from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  return new Promise((resolve, reject) => {
    let answer = '';
    process.stderr.write(question);
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    const done = (finish: () => void) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      finish();
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return done(() => resolve(answer));
        if (char === '\u0003') return done(() => reject(new Cancelled()));
        if (char === '\u0004' && answer === '') return done(() => reject(new UsageError('no password given')));
        if (char === '\u007f' || char === '\b') answer = answer.slice(0, -1);
        else if (char >= ' ') answer += char;
      }
    };
    input.on('data', onData);
  });
}

/** One line from a pipe or file (`echo "$PW" | npm run user -- ...`). */
function readLine(): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: process.stdin, terminal: false });
    let got = false;
    rl.once('line', (line) => {
      got = true;
      rl.close();
      resolve(line);
    });
    rl.once('close', () => {
      if (!got) reject(new UsageError('no password: set COUNTERSIGN_PASSWORD or pipe it on stdin'));
    });
  });
}

async function readPassword(): Promise<string> {
  const fromEnv = process.env.COUNTERSIGN_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!process.stdin.isTTY) return readLine();
  const first = await promptHidden(`Password (at least ${PASSWORD_MIN} characters): `);
  // Checked before the repeat, so a too-short one fails fast.
  const checked = newUserSchema.shape.password.safeParse(first);
  if (!checked.success) throw new UsageError(`Invalid password: ${checked.error.issues.map((i) => i.message).join('; ')}`);
  if ((await promptHidden('Repeat the password: ')) !== first) throw new UsageError('the passwords do not match');
  return first;
}

function isUniqueViolation(error: unknown): boolean {
  // Under the driver adapter P2002 carries no meta.target: the code is what to match.
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

async function main(): Promise<number> {
  try {
    const values = readFlags(process.argv.slice(2));
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const missing = (['email', 'role'] as const).filter((flag) => !values[flag]).map((flag) => `--${flag}`);
    if (missing.length) throw new UsageError(`${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} required`, true);
    const role = ROLES[values.role?.trim().toLowerCase() ?? ''];
    if (!role) throw new UsageError(`--role ${values.role ?? ''}: must be admin or reviewer`, true);
    // Everything but the password first, so a typo is reported before the prompt.
    const identity = newUserSchema
      .pick({ email: true, role: true, name: true })
      .safeParse({ email: values.email, role, name: values.name });
    if (!identity.success) throw new UsageError(`Invalid user:\n${describeIssues(identity.error)}`);
    const groups = readGroups(values.group);

    const db = createDb(databaseEnv().DATABASE_URL);
    try {
      // An unknown group is reported before the prompt too.
      await requireGroups(db, groups);
      const user = newUserSchema.safeParse({ ...identity.data, password: await readPassword() });
      if (!user.success) throw new UsageError(`Invalid user:\n${describeIssues(user.error)}`);
      const created = await createUserWithGroups(db, { ...user.data, groups });
      const joined = created.groups.length ? ` in ${created.groups.join(', ')}` : '';
      console.log(`Created ${created.role.toLowerCase()} ${created.email}${created.name ? ` (${created.name})` : ''}${joined}.`);
      return 0;
    } catch (error) {
      // Unknown groups, an email in use: said as is, exit 2.
      if (error instanceof DirectoryError) throw new UsageError(error.message);
      if (isUniqueViolation(error)) throw new UsageError(`A user with the email ${identity.data.email} exists already.`);
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P1001') {
        throw new Error('Cannot reach the database in DATABASE_URL: start it (`npm run dev` does) or set DATABASE_URL.');
      }
      throw error;
    } finally {
      await db.$disconnect();
    }
  } catch (error) {
    if (error instanceof Cancelled) return 130;
    if (!(error instanceof UsageError)) throw error;
    console.error(error.showUsage ? `${error.message}\n\n${USAGE}` : error.message);
    return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
