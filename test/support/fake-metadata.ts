/**
 * A loopback GCE metadata server. google-auth-library reaches it through its real Application Default Credentials
 * path when GCE_METADATA_HOST points here, so tests need no switch in product code.
 */
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface FakeMetadata {
  host: string;
  /** The token currently handed out. */
  token: string;
  tokenRequests: number;
  /** Answer the next `n` token requests with this HTTP status. */
  failTokenRequests(n: number, status: number): void;
  rotateToken(): string;
  close(): Promise<void>;
}

export function newToken(): string {
  // Shaped like a real Google access token so that redaction patterns are exercised too.
  return `ya29.test-${randomBytes(24).toString('hex')}`;
}

export async function startFakeMetadata(): Promise<FakeMetadata> {
  let failures: { remaining: number; status: number } = { remaining: 0, status: 500 };
  const state = {
    token: newToken(),
    tokenRequests: 0,
  };
  const server: Server = createServer((req, res) => {
    if (req.headers['metadata-flavor'] !== 'Google') {
      res.writeHead(403).end('Missing Metadata-Flavor header');
      return;
    }
    res.setHeader('Metadata-Flavor', 'Google');
    const path = (req.url ?? '').split('?')[0];
    if (path === '/computeMetadata/v1/instance/service-accounts/default/token') {
      state.tokenRequests++;
      if (failures.remaining > 0) {
        failures.remaining--;
        res.writeHead(failures.status, { 'content-type': 'text/plain' }).end('metadata server unavailable');
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ access_token: state.token, expires_in: 3599, token_type: 'Bearer' }));
      return;
    }
    if (path === '/computeMetadata/v1/project/project-id') {
      res.writeHead(200, { 'content-type': 'application/text' }).end('ee-cancel-tests');
      return;
    }
    if (path === '/computeMetadata/v1/instance/service-accounts/default/email') {
      res.writeHead(200, { 'content-type': 'application/text' }).end('worker@ee-cancel-tests.iam.gserviceaccount.com');
      return;
    }
    if (path === '/computeMetadata/v1/instance' || path === '/computeMetadata/v1/instance/') {
      res.writeHead(200, { 'content-type': 'application/text' }).end('');
      return;
    }
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    get token() {
      return state.token;
    },
    get tokenRequests() {
      return state.tokenRequests;
    },
    failTokenRequests(n, status) {
      failures = { remaining: n, status };
    },
    rotateToken() {
      state.token = newToken();
      return state.token;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Points Application Default Credentials at the fake metadata server, and away from anything on this machine
 * (a key file in GOOGLE_APPLICATION_CREDENTIALS or gcloud's files under HOME would win over the metadata server).
 */
export function useFakeMetadataForAdc(env: NodeJS.ProcessEnv, metadataHost: string, emptyHome: string): void {
  delete env.GOOGLE_APPLICATION_CREDENTIALS;
  delete env.GOOGLE_CLOUD_QUOTA_PROJECT;
  delete env.GOOGLE_CLOUD_PROJECT;
  delete env.GCLOUD_PROJECT;
  env.HOME = emptyHome;
  env.CLOUDSDK_CONFIG = emptyHome;
  env.GCE_METADATA_HOST = metadataHost;
  env.METADATA_SERVER_DETECTION = 'assume-present';
}
