/**
 * The Web UI in a real browser: a cancellation is found through a search-attribute query, and its summary,
 * current details and outcome are visible without opening the history. Screenshots go to test-output/web-ui/.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { opName, startHarness, FAST_POLLING, type Harness } from '../support/harness';
import { startCancellation } from '../../src/client';
import { freePort } from '../support/net';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT_DIR = resolve(__dirname, '..', '..', '..', 'test-output', 'web-ui');
const skip = existsSync(CHROMIUM)
  ? false
  : `Chromium not found at ${CHROMIUM} (apt-get install chromium; .ci/run does)`;

let h: Harness;
let uiUrl: string;

before(async () => {
  if (skip) return;
  const uiPort = await freePort();
  h = await startHarness({ uiPort });
  uiUrl = `http://127.0.0.1:${uiPort}`;
  await h.startWorker();
});
after(async () => {
  await h?.close();
});

test(
  'the Web UI finds a cancellation by search attribute and shows its summary, details and outcome',
  { skip },
  async () => {
    const { chromium } = await import('playwright-core');
    const name = opName('web-ui');
    h.ee.addOperation(name, { state: 'RUNNING', progress: 0.4, onCancel: 'honour', effectAfterReads: 2 });
    const handle = await startCancellation(
      h.client,
      { name, reason: 'superseded by a new export', requestedBy: 'ui-test', polling: FAST_POLLING },
      { taskQueue: h.taskQueue },
    );
    const result = await handle.result();
    assert.equal(result.outcome, 'CANCELLED');

    mkdirSync(OUTPUT_DIR, { recursive: true });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const query = `EeCancelOutcome="CANCELLED" AND EeOperation="${name}"`;
      await page.goto(`${uiUrl}/namespaces/${h.namespace}/workflows?query=${encodeURIComponent(query)}`);
      const link = page.getByRole('link', { name: handle.workflowId });
      // Visibility is eventually consistent: reload until the list shows it.
      for (let i = 0; i < 20 && !(await link.isVisible().catch(() => false)); i++) {
        await page.waitForTimeout(500);
        if (i % 4 === 3) await page.reload();
      }
      await page.screenshot({ path: join(OUTPUT_DIR, 'list.png'), fullPage: true });
      await link.first().click();
      await page.waitForURL(/\/workflows\/.+/);
      // The history view: activity and timer summaries say what each step was.
      await page.getByText(`Request cancellation of ${name}`).first().waitFor({ timeout: 20_000 });
      await page.screenshot({ path: join(OUTPUT_DIR, 'workflow.png'), fullPage: true });
      await page
        .getByRole('link', { name: 'User Metadata' })
        .or(page.getByText('User Metadata', { exact: true }))
        .first()
        .click();
      await page.getByText('Current Details').first().waitFor({ timeout: 20_000 });
      // The UI renders markdown (summary, details, current details) in sandboxed frames: read them all.
      const allText = async (): Promise<string> => {
        const texts = await Promise.all(
          page.frames().map((f) =>
            f
              .locator('body')
              .innerText()
              .catch(() => ''),
          ),
        );
        return texts.join('\n');
      };
      let text = await allText();
      for (let i = 0; i < 40 && !text.includes('Finished: CANCELLED'); i++) {
        await page.waitForTimeout(250);
        text = await allText();
      }
      await page.screenshot({ path: join(OUTPUT_DIR, 'user-metadata.png'), fullPage: true });
      assert.match(text, new RegExp(`Cancel ${name}`), 'static summary');
      assert.match(text, /reason: superseded by a new export/, 'static details');
      assert.match(text, /Finished: CANCELLED/, 'current details: the outcome');
      assert.match(text, /reads after the request\s+2 \(0 unchanged/, 'current details: the reads');
      assert.match(text, /progress\s+40%/, 'current details: the progress');
    } finally {
      await browser.close();
    }
  },
);
