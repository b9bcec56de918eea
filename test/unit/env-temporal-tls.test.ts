// Temporal's TLS, mTLS and API-key settings: read from a path or as PEM text,
// checked at start-up, and a bad one named. Certificates are made at test time
// (test/support/test-certificates.ts), real files on disk.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { parseEnv } from '../../lib/env';
import { cannotReachTemporal, describeTemporalConnection, temporalConnectionOptions } from '../../lib/temporal-connection';
import { issue, makeCa } from '../support/test-certificates';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-tls-env-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const ca = makeCa(dir, 'test-ca');
const client = issue(dir, ca, 'client', { use: 'client', subject: 'countersign-worker' });
const other = issue(dir, ca, 'other', { use: 'client', subject: 'someone-else' });
const expired = issue(dir, ca, 'expired', { use: 'client', subject: 'countersign-worker', days: -1 });

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

const problems = (env: Record<string, string>): string => {
  try {
    parseEnv('temporal', env);
    return '';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
};

describe('Temporal over TLS: the settings', () => {
  test('none of them: a plain connection, as to the dev server', () => {
    const settings = parseEnv('temporal', {});
    assert.equal(settings.TEMPORAL_TLS, false);
    assert.deepEqual(temporalConnectionOptions(settings), { address: '127.0.0.1:7233', tls: false });
    assert.equal(describeTemporalConnection(settings), '127.0.0.1:7233');
  });

  test('mTLS from file paths: the CA, the client pair and the server name reach the connection options', () => {
    const settings = parseEnv('temporal', {
      TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233',
      TEMPORAL_TLS_CA: ca.certPath,
      TEMPORAL_TLS_CERT: client.certPath,
      TEMPORAL_TLS_KEY: client.keyPath,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.test',
    });
    const options = temporalConnectionOptions(settings);
    assert.equal(options.address, 'ns.acct.tmprl.cloud:7233');
    assert.ok(options.tls);
    assert.equal(options.tls.serverNameOverride, 'temporal.test');
    assert.equal(Buffer.from(options.tls.serverRootCACertificate ?? []).toString(), ca.cert);
    assert.equal(Buffer.from(options.tls.clientCertPair?.crt ?? []).toString(), client.cert);
    assert.equal(Buffer.from(options.tls.clientCertPair?.key ?? []).toString(), client.key);
    assert.equal(options.apiKey, undefined);
    assert.equal(
      describeTemporalConnection(settings),
      'ns.acct.tmprl.cloud:7233 over TLS (client certificate, own CA, server name temporal.test)',
    );
  });

  test('PEM text works as well as a path, also with its line breaks written as \\n', () => {
    const settings = parseEnv('temporal', {
      TEMPORAL_TLS_CERT: client.cert,
      TEMPORAL_TLS_KEY: client.key.replace(/\n/g, '\\n'),
    });
    const { tls } = temporalConnectionOptions(settings);
    assert.ok(tls);
    assert.equal(Buffer.from(tls.clientCertPair?.crt ?? []).toString(), client.cert);
    assert.equal(Buffer.from(tls.clientCertPair?.key ?? []).toString(), client.key);
  });

  test('an API key turns TLS on, as the SDK does, unless TEMPORAL_TLS=false says no', () => {
    const withKey = parseEnv('temporal', { TEMPORAL_API_KEY: 'k-123' });
    assert.deepEqual(temporalConnectionOptions(withKey), { address: '127.0.0.1:7233', tls: {}, apiKey: 'k-123' });
    const plain = parseEnv('temporal', { TEMPORAL_API_KEY: 'k-123', TEMPORAL_TLS: 'false' });
    assert.deepEqual(temporalConnectionOptions(plain), { address: '127.0.0.1:7233', tls: false, apiKey: 'k-123' });
    assert.equal(describeTemporalConnection(plain), '127.0.0.1:7233 (API key, no TLS)');
    // TEMPORAL_TLS=true alone: TLS against the system's CAs (a cluster with a public certificate).
    assert.deepEqual(temporalConnectionOptions(parseEnv('temporal', { TEMPORAL_TLS: 'true' })).tls, {});
  });

  test('empty settings count as unset (an env file line such as TEMPORAL_TLS_CERT=)', () => {
    const settings = parseEnv('temporal', { TEMPORAL_TLS: '', TEMPORAL_TLS_CERT: '', TEMPORAL_TLS_KEY: '', TEMPORAL_API_KEY: '' });
    assert.equal(settings.TEMPORAL_TLS, false);
    assert.equal(settings.TEMPORAL_TLS_CERT, undefined);
  });
});

describe('Temporal over TLS: a bad setting is named', () => {
  test('a certificate without its key, or a key without its certificate', () => {
    assert.match(problems({ TEMPORAL_TLS_CERT: client.certPath }), /TEMPORAL_TLS_KEY: is required with TEMPORAL_TLS_CERT/);
    assert.match(problems({ TEMPORAL_TLS_KEY: client.keyPath }), /TEMPORAL_TLS_CERT: is required with TEMPORAL_TLS_KEY/);
  });

  test('a key that is not the certificate’s', () => {
    assert.match(
      problems({ TEMPORAL_TLS_CERT: client.certPath, TEMPORAL_TLS_KEY: other.keyPath }),
      /TEMPORAL_TLS_KEY: is not the private key of the certificate in TEMPORAL_TLS_CERT/,
    );
  });

  test('a file that is missing, or a folder: the setting and the path, not the contents', () => {
    const missing = path.join(dir, 'nope.pem');
    assert.match(
      problems({ TEMPORAL_TLS_CA: missing }),
      new RegExp(`TEMPORAL_TLS_CA: cannot read the file ${escape(missing)} \\(no such file\\)`),
    );
    assert.match(problems({ TEMPORAL_TLS_CA: dir }), /TEMPORAL_TLS_CA: cannot read the file .* \(it is a folder\)/);
  });

  test('content that is not PEM, or the wrong PEM: a key given as the certificate says so', () => {
    const garbage = path.join(dir, 'garbage.pem');
    fs.writeFileSync(garbage, 'not a certificate\n');
    assert.match(problems({ TEMPORAL_TLS_CA: garbage }), /TEMPORAL_TLS_CA: the file .*garbage\.pem holds no PEM block, not a certificate/);
    const swapped = problems({ TEMPORAL_TLS_CERT: client.keyPath, TEMPORAL_TLS_KEY: client.certPath });
    assert.match(swapped, /TEMPORAL_TLS_CERT: the file .*client\.key holds a PEM "PRIVATE KEY", not a certificate/);
    assert.match(swapped, /TEMPORAL_TLS_KEY: the file .*client\.pem holds a PEM "CERTIFICATE", not a private key/);
  });

  test('PEM text that is cut short, and the key never appears in the message', () => {
    const cut = client.key.slice(0, 80);
    const message = problems({ TEMPORAL_TLS_CERT: client.cert, TEMPORAL_TLS_KEY: cut });
    assert.match(message, /TEMPORAL_TLS_KEY: the value holds/);
    const keyBody = client.key.split('\n')[1] ?? '';
    assert.ok(keyBody.length > 20 && !message.includes(keyBody.slice(0, 20)), 'the message quoted the key');
  });

  test('a key pasted without its BEGIN line is taken for a path, and never repeated', () => {
    const body = client.key.split('\n').slice(1, -2).join('');
    const message = problems({ TEMPORAL_TLS_CERT: client.certPath, TEMPORAL_TLS_KEY: body });
    assert.match(
      message,
      /TEMPORAL_TLS_KEY: cannot read the file it names \(no such file\); PEM text must start with its -----BEGIN PRIVATE KEY----- line/,
    );
    assert.ok(!message.includes(body.slice(0, 20)), 'the message quoted the key');
  });

  test('an encrypted key: the SDK cannot use it, and the message says how to decrypt it', () => {
    const encrypted = path.join(dir, 'encrypted.key');
    fs.writeFileSync(encrypted, '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n');
    assert.match(
      problems({ TEMPORAL_TLS_CERT: client.certPath, TEMPORAL_TLS_KEY: encrypted }),
      /TEMPORAL_TLS_KEY: .*encrypted private key: give it without a passphrase/,
    );
  });

  test('an expired client certificate', () => {
    assert.match(
      problems({ TEMPORAL_TLS_CERT: expired.certPath, TEMPORAL_TLS_KEY: expired.keyPath }),
      /TEMPORAL_TLS_CERT: the file .*expired\.pem holds a certificate that expired on \d{4}-/,
    );
  });

  test('TEMPORAL_TLS is true or false, and false with TLS settings is a contradiction', () => {
    assert.match(problems({ TEMPORAL_TLS: 'yes' }), /TEMPORAL_TLS: must be true or false/);
    assert.match(
      problems({ TEMPORAL_TLS: 'false', TEMPORAL_TLS_CA: ca.certPath, TEMPORAL_TLS_SERVER_NAME: 'temporal.test' }),
      /TEMPORAL_TLS: is false, but TEMPORAL_TLS_CA, TEMPORAL_TLS_SERVER_NAME are set/,
    );
  });

  test('an API key with a trailing newline, and a server name that is a URL', () => {
    assert.match(problems({ TEMPORAL_API_KEY: 'k-123\n' }), /TEMPORAL_API_KEY: must be one line with no spaces/);
    assert.match(problems({ TEMPORAL_TLS_SERVER_NAME: 'https://temporal.test' }), /TEMPORAL_TLS_SERVER_NAME: must be a host name/);
  });
});

describe('cannotReachTemporal', () => {
  test('names the settings in use, gives the server’s reason, and never the API key', () => {
    const settings = parseEnv('temporal', { TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'secret-key-123' });
    const error = new Error('Failed to connect to Temporal server', { cause: new Error('16 UNAUTHENTICATED: invalid API key') });
    const message = cannotReachTemporal(settings, error);
    assert.equal(
      message,
      'Cannot reach the Temporal server at ns.acct.tmprl.cloud:7233 over TLS (API key) ' +
        '(Failed to connect to Temporal server: 16 UNAUTHENTICATED: invalid API key). Check TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and TEMPORAL_API_KEY.',
    );
    assert.ok(!message.includes('secret-key-123'));
  });

  test('a plain connection keeps the dev hint', () => {
    assert.match(cannotReachTemporal(parseEnv('temporal', {}), new Error('refused')), /at 127\.0\.0\.1:7233 \(refused\)\. Start it/);
  });
});
