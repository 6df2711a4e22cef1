/** `npm run demo` on a fresh port: every outcome, no credentials, nothing but loopback. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { OUTCOMES } from '../../src/shared';
import { freePort } from '../support/net';

test('the demo ends one cancellation in each outcome and prints the Web UI links', async () => {
  const port = await freePort();
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [resolve(__dirname, '..', '..', 'scripts', 'demo.js'), '--exit'],
    {
      timeout: 120_000,
      // No credentials of any kind reach the demo; it must not need them.
      env: Object.fromEntries(
        Object.entries({
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          TEMPORAL_CLI: process.env.TEMPORAL_CLI,
          EE_CANCEL_DEMO_PORT: String(port),
        }).filter((entry): entry is [string, string] => entry[1] !== undefined),
      ),
    },
  );
  for (const outcome of OUTCOMES) assert.match(stdout, new RegExp(`^  ${outcome} `, 'm'), `${outcome} in\n${stdout}`);
  assert.match(stdout, /InvalidInput/);
  assert.match(stdout, /Earth Engine simulator at http:\/\/127\.0\.0\.1:\d+\/v1 \(loopback only\)/);
  assert.match(
    stdout,
    new RegExp(`http://127\\.0\\.0\\.1:${port + 1000}/namespaces/default/workflows/ee-cancel%2Fprojects`),
  );
});
