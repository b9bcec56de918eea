// A stand-in for Temporal Cloud's front door, for the TLS tests: the dev server
// has no TLS, so this terminates it. An HTTP/2 TLS server that requires a
// client certificate signed by the test CA, and checks `authorization: Bearer
// <key>` (the SDK's apiKey) on every call before forwarding it, as plain h2c,
// to the dev server's gRPC port. A call without the key is answered as gRPC
// does: status 16, UNAUTHENTICATED.
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';

const { NGHTTP2_CANCEL, NGHTTP2_FLAG_END_STREAM } = http2.constants;
const UNAUTHENTICATED = 16;
const UNAVAILABLE = 14;

export interface TlsProxyOptions {
  /** host:port of the dev server's gRPC (plain HTTP/2). */
  upstream: string;
  /** The server's certificate and key (PEM). */
  cert: string;
  key: string;
  /** The CA that client certificates must chain to. */
  clientCa: string;
  /** The API key every call must carry. */
  apiKey: string;
}

export interface TlsProxy {
  address: string;
  /** What the proxy saw: refused handshakes, calls refused for their key, calls forwarded. */
  readonly counts: { refusedHandshakes: number; unauthenticated: number; forwarded: number };
  close(): Promise<void>;
}

function grpcError(stream: http2.ServerHttp2Stream, status: number, message: string): void {
  if (stream.closed) return;
  if (stream.headersSent) {
    stream.close(NGHTTP2_CANCEL);
    return;
  }
  // A trailers-only response: how a gRPC server answers a call it refuses.
  stream.respond(
    { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(status), 'grpc-message': encodeURIComponent(message) },
    { endStream: true },
  );
}

export async function startTlsProxy({ upstream, cert, key, clientCa, apiKey }: TlsProxyOptions): Promise<TlsProxy> {
  const counts = { refusedHandshakes: 0, unauthenticated: 0, forwarded: 0 };
  const server = http2.createSecureServer({ cert, key, ca: clientCa, requestCert: true, rejectUnauthorized: true, allowHTTP1: false });
  const sessions = new Set<http2.Http2Session>();
  const upstreams = new WeakMap<http2.Http2Session, http2.ClientHttp2Session>();

  server.on('tlsClientError', () => counts.refusedHandshakes++);
  server.on('session', (session) => {
    sessions.add(session);
    // One plain HTTP/2 connection to the dev server per client connection, closed with it.
    const plain = http2.connect(`http://${upstream}`);
    plain.on('error', () => undefined);
    sessions.add(plain);
    upstreams.set(session, plain);
    session.on('error', () => undefined);
    session.on('close', () => {
      sessions.delete(session);
      sessions.delete(plain);
      plain.close();
    });
  });

  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    if (headers.authorization !== `Bearer ${apiKey}`) {
      counts.unauthenticated++;
      grpcError(stream, UNAUTHENTICATED, headers.authorization ? 'invalid API key' : 'API key required');
      return;
    }
    const plain = upstreams.get(stream.session as http2.Http2Session);
    if (!plain || plain.destroyed) {
      grpcError(stream, UNAVAILABLE, 'the upstream connection is closed');
      return;
    }
    counts.forwarded++;

    // The call as it came, less what names this hop (scheme, authority) and the key, which stops here.
    const forwarded: http2.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(headers)) {
      if (name === ':scheme' || name === ':authority' || name === 'authorization') continue;
      forwarded[name] = value;
    }
    const call = plain.request(forwarded);
    call.on('error', () => grpcError(stream, UNAVAILABLE, 'the upstream call failed'));
    stream.pipe(call);

    let trailers: http2.OutgoingHttpHeaders = { 'grpc-status': '0' };
    call.on('trailers', (received) => (trailers = { ...received }));
    stream.on('wantTrailers', () => stream.sendTrailers(trailers));
    call.on('response', (responseHeaders, flags) => {
      if (stream.closed) return;
      if (flags & NGHTTP2_FLAG_END_STREAM) {
        stream.respond({ ...responseHeaders }, { endStream: true });
        return;
      }
      stream.respond({ ...responseHeaders }, { waitForTrailers: true });
      call.pipe(stream);
    });
    // A cancelled call (a worker's long poll, when it stops) is cancelled upstream too, and the reverse.
    stream.on('close', () => {
      if (!call.closed) call.close(NGHTTP2_CANCEL);
    });
    call.on('close', () => {
      if (!stream.closed && call.rstCode && call.rstCode !== http2.constants.NGHTTP2_NO_ERROR) stream.close(call.rstCode);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    counts,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const session of sessions) session.destroy();
      await closed;
    },
  };
}
