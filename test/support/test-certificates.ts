// Certificates for the TLS tests, made at test time with the openssl CLI
// (Node has no X.509 builder): CAs, and the server and client certificates
// they sign. EC P-256 keys, which Node (grpc-js) and the worker's Rust core
// (rustls) both accept. Nothing is committed: a key in the repository would
// look like a leaked secret, and these live for the test's folder only.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface Issued {
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl ${args[0]} failed (the TLS tests need the openssl CLI): ${stderr || String(error)}`);
  }
}

const read = (dir: string, name: string): Issued => {
  const certPath = path.join(dir, `${name}.pem`);
  const keyPath = path.join(dir, `${name}.key`);
  return { certPath, keyPath, cert: fs.readFileSync(certPath, 'utf8'), key: fs.readFileSync(keyPath, 'utf8') };
};

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A self-signed CA named `name`, in `dir`. */
export function makeCa(dir: string, name: string): Issued {
  openssl(
    [
      'req',
      '-x509',
      ...EC_KEY,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  return read(dir, name);
}

export interface IssueOptions {
  /** serverAuth with a DNS name in subjectAltName (what rustls checks), or clientAuth. */
  use: 'server' | 'client';
  /** The server's DNS name, or the client's common name. */
  subject: string;
  /** Negative: a certificate that has already expired. */
  days?: number;
}

/** A certificate signed by `ca`, with its key, written to `dir` as `<name>.pem` and `<name>.key`. */
export function issue(dir: string, ca: Issued, name: string, { use, subject, days = 2 }: IssueOptions): Issued {
  openssl(['req', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${subject}`], dir);
  const extensions = [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    use === 'server' ? `extendedKeyUsage=serverAuth\nsubjectAltName=DNS:${subject}` : 'extendedKeyUsage=clientAuth',
  ].join('\n');
  fs.writeFileSync(path.join(dir, `${name}.ext`), `${extensions}\n`);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      ca.certPath,
      '-CAkey',
      ca.keyPath,
      '-set_serial',
      `0x${randomBytes(8).toString('hex')}`,
      '-days',
      String(days),
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    ],
    dir,
  );
  return read(dir, name);
}
