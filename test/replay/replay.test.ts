/**
 * Determinism guard: histories recorded from finished runs (every outcome, and a chain that continued-as-new) must
 * replay against the current workflow code. A change that would break running workflows fails here; guard it
 * with `patched()` and record new fixtures (EE_CANCEL_RECORD_FIXTURES=1 npm test -- dist/test/e2e/history.test.js).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { workflowBundle } from '../support/harness';

const FIXTURES_DIR = resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'histories');
const files = readdirSync(FIXTURES_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

test('fixtures cover every outcome and a continued-as-new chain', () => {
  for (const expected of [
    'cancelled',
    'completed-despite-cancellation',
    'failed',
    'already-done',
    'cancel-unsupported',
    'not-found',
    'deadline-exceeded',
    'invalid-input',
    'continued-as-new.run1',
    'continued-as-new.run2',
    'batch',
  ]) {
    assert.ok(files.includes(`${expected}.json`), `missing fixture ${expected}.json`);
  }
});

test(`${files.length} recorded histories replay against the current workflow code`, async () => {
  const bundle = await workflowBundle();
  for (const file of files) {
    const history = historyFromJSON(JSON.parse(readFileSync(join(FIXTURES_DIR, file), 'utf8')));
    assert.ok((history.events?.length ?? 0) > 3, `${file} has events`);
    await Worker.runReplayHistory({ workflowBundle: bundle, replayName: file }, history);
  }
});
