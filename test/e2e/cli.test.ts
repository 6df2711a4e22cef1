/**
 * The real `temporal` CLI against a real dev server: the README's copy-paste block, run as it is, and malformed
 * inputs given with `--input`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { startHarness, type Harness } from '../support/harness';
import { DEFAULT_TASK_QUEUE } from '../../src/shared';

const run = promisify(execFile);
let h: Harness;

before(async () => {
  h = await startHarness();
  await h.startWorker({}, DEFAULT_TASK_QUEUE);
});
after(async () => {
  await h?.close();
});

/** The commands of the README's CLI block: comments dropped, continuation lines joined. */
export function readmeCliCommands(): string[] {
  const readme = readFileSync(resolve(__dirname, '..', '..', '..', 'README.md'), 'utf8');
  const block = /<!-- cli-example:start -->\s*```sh\n([\s\S]*?)```\s*<!-- cli-example:end -->/.exec(readme);
  assert.ok(block, 'the README has the CLI example block');
  return block[1]!
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

async function sh(command: string): Promise<{ stdout: string; stderr: string; code: number }> {
  // The README's commands as a user would type them; the address comes from the environment, as for a user.
  const env = { ...process.env, PATH: `${resolve(h.cli, '..')}:${process.env.PATH}`, TEMPORAL_ADDRESS: h.address };
  try {
    const { stdout, stderr } = await run('bash', ['-c', command], { env, timeout: 60_000 });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: e.code ?? 1 };
  }
}

test("the README's CLI block runs as written", async () => {
  h.ee.addOperation('projects/my-project/operations/ABCD1234', {
    state: 'RUNNING',
    progress: 0.3,
    onCancel: 'honour',
    effectAfterReads: 4,
  });
  h.ee.addOperation('projects/my-project/operations/EFGH5678', { state: 'PENDING', onCancel: 'complete' });
  const commands = readmeCliCommands();
  assert.equal(commands.length, 8);
  const outputs: string[] = [];
  for (const command of commands) {
    let result = await sh(command);
    // Visibility (what `workflow list` searches) is eventually consistent: give it a moment.
    for (let i = 0; i < 20 && command.includes('workflow list') && !result.stdout.includes('ee-cancel/'); i++) {
      await new Promise((r) => setTimeout(r, 500));
      result = await sh(command);
    }
    assert.equal(result.code, 0, `${command}\n${result.stderr}`);
    outputs.push(result.stdout);
  }
  const [, status, resultOut, audit, show, execute, listCancelled] = outputs;
  assert.match(status!, /"phase"/);
  assert.match(resultOut!, /CANCELLED/);
  assert.match(audit!, /cancel-sent/);
  assert.match(audit!, /wrong region/);
  assert.match(show!, /ActivityTaskCompleted/);
  assert.match(execute!, /COMPLETED_DESPITE_CANCELLATION/);
  assert.match(listCancelled!, /ee-cancel\/projects\/my-project\/operations\/ABCD1234/);
  assert.doesNotMatch(listCancelled!, /EFGH5678/);
  assert.deepEqual(h.ee.calls('projects/my-project/operations/ABCD1234'), { get: 5, cancel: 1 });

  // The same command once the first run has finished starts a new run, which finds the operation done and
  // sends no second cancel request.
  const again = await sh(commands[0]!);
  assert.equal(again.code, 0, again.stderr);
  const second = await sh(commands[2]!);
  assert.match(second.stdout, /ALREADY_DONE/);
  assert.deepEqual(h.ee.calls('projects/my-project/operations/ABCD1234'), { get: 6, cancel: 1 });
});

test('malformed --input values are refused as InvalidInput, with no Earth Engine call', async () => {
  const before = h.ee.totalCalls();
  const inputs = [
    `--input '{}'`,
    `--input '"projects/p/operations/x"'`,
    `--input '{"name": "projects/my-project/operations/../x"}'`,
    `--input '{"name": "projects/my-project/operations/A%2FB"}'`,
    `--input '{"name": "projects/my-project/operations/A?x=1"}'`,
    `--input '{"name": "projects/my-project/operations/A", "polling": {"timeout": "-1s"}}'`,
    `--input '{"name": "projects/my-project/operations/A", "dryRun": true}'`,
    `--input '{"name": "projects/my-project/operations/A"}' --input '{"name": "projects/my-project/operations/B"}'`,
  ];
  for (const [i, input] of inputs.entries()) {
    const result = await sh(
      `temporal workflow execute --type cancelOperation --task-queue ${DEFAULT_TASK_QUEUE} --workflow-id bad-cli-input-${i} ${input}`,
    );
    assert.notEqual(result.code, 0, input);
    assert.match(
      `${result.stdout}${result.stderr}`,
      /InvalidInput|Invalid input/,
      `${input}: ${result.stdout}${result.stderr}`,
    );
  }
  assert.equal(h.ee.totalCalls(), before);
});
