// A TLS setting (TEMPORAL_TLS_CA, _CERT, _KEY) holds PEM text or the path of a
// file that does. Both forms are read and checked here, at start-up, so that a
// bad one stops the process naming the setting, instead of failing later in a
// TLS handshake whose error names nothing. Messages never quote the contents:
// a key is a secret, and a path is not.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import fs from 'node:fs';

export type PemKind = 'certificate' | 'private key';

export interface PemCertificate {
  kind: 'certificate';
  /** As given, for the SDK (a chain stays a chain). */
  pem: Buffer;
  /** The first certificate: the client's own when a chain follows it. */
  certificate: X509Certificate;
}
export interface PemPrivateKey {
  kind: 'private key';
  pem: Buffer;
  key: KeyObject;
}
export type PemSetting<K extends PemKind = PemKind> = K extends 'certificate' ? PemCertificate : PemPrivateKey;

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----/g;
const BLOCK_TYPES: Record<PemKind, readonly string[]> = {
  certificate: ['CERTIFICATE'],
  // PKCS#8, PKCS#1 (RSA) and SEC1 (EC): what OpenSSL, Temporal Cloud's tooling and rustls all read.
  'private key': ['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY'],
};
const EXAMPLE: Record<PemKind, string> = {
  certificate: '-----BEGIN CERTIFICATE-----',
  'private key': '-----BEGIN PRIVATE KEY-----',
};

const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a folder',
};

/** Whether a value that is not PEM may be repeated in a message: a certificate is public; base64 (a key) has no dot. */
const quotable = (value: string, kind: PemKind) => kind === 'certificate' || (value.includes('.') && !/\s/.test(value));

/** Inline PEM starts with its BEGIN line; anything else is a path (relative to the working folder). */
export const isInlinePem = (value: string) => value.trimStart().startsWith('-----BEGIN ');

/** Reads and checks one setting; `problem` is a sentence to follow the setting's name. */
export function readPemSetting<K extends PemKind>(value: string, kind: K, now = new Date()): PemSetting<K> | { problem: string } {
  let text: string;
  let where: string;
  if (isInlinePem(value)) {
    // One-line env files (and some hosting dashboards) write the line breaks as \n.
    text = value.includes('\n') ? value : value.replace(/\\n/g, '\n');
    where = 'the value';
  } else {
    try {
      text = fs.readFileSync(value, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      const why = FILE_ERRORS[code] ?? (code || 'unreadable');
      // A key pasted without its BEGIN line is taken for a path: never repeat it. A
      // path to a key has a dot (client.key) or is said without quoting it.
      return quotable(value, kind)
        ? { problem: `cannot read the file ${value} (${why})` }
        : { problem: `cannot read the file it names (${why}); PEM text must start with its ${EXAMPLE[kind]} line` };
    }
    where = `the file ${value}`;
  }

  const blocks = [...text.matchAll(BLOCK)].map((match) => match[1] ?? '');
  const wanted = blocks.find((type) => BLOCK_TYPES[kind].includes(type));
  if (!wanted) {
    if (blocks.includes('ENCRYPTED PRIVATE KEY') && kind === 'private key') {
      return { problem: `${where} holds an encrypted private key: give it without a passphrase (openssl pkey -in key.pem -out plain.pem)` };
    }
    const found = blocks[0] ? `a PEM "${blocks[0]}"` : 'no PEM block';
    return { problem: `${where} holds ${found}, not a ${kind}: give a .pem file's path or its contents, starting ${EXAMPLE[kind]}` };
  }
  const pem = Buffer.from(text);

  if (kind === 'private key') {
    if (/Proc-Type: 4,ENCRYPTED/.test(text)) {
      return { problem: `${where} holds an encrypted private key: give it without a passphrase (openssl pkey -in key.pem -out plain.pem)` };
    }
    try {
      return { kind: 'private key', pem, key: createPrivateKey(text) } as PemSetting<K>;
    } catch {
      return { problem: `${where} holds a private key that cannot be read (damaged, or cut short)` };
    }
  }

  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    return { problem: `${where} holds a certificate that cannot be read (damaged, or cut short)` };
  }
  // Expired: every handshake would fail, with an error that names no setting.
  if (new Date(certificate.validTo).getTime() < now.getTime()) {
    return {
      problem: `${where} holds a certificate that expired on ${new Date(certificate.validTo).toISOString()} (${certificate.subject.replace(/\n/g, ', ')})`,
    };
  }
  return { kind: 'certificate', pem, certificate } as PemSetting<K>;
}

/** Whether `key` is the private key of `cert` (the client's own certificate, the first of a chain). */
export function isKeyOf(key: PemPrivateKey, cert: PemCertificate): boolean {
  try {
    return cert.certificate.checkPrivateKey(key.key);
  } catch {
    return false; // a key of another type, such as an EC key for an RSA certificate
  }
}
