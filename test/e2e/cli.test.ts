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
import { GOOD_NAME, INVALID_INPUTS } from '../support/invalid-inputs';

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

test('malformed inputs given with `temporal workflow start --input` are refused as InvalidInput, no Earth Engine call', async () => {
  const before = h.ee.totalCalls();
  // Each JSON value as a user would type it, single-quoted for the shell.
  const quoted = (value: unknown) => `'${JSON.stringify(value).replace(/'/g, `'\\''`)}'`;
  const cases: [string, string, RegExp][] = [
    ...INVALID_INPUTS.map(([label, input, expected]): [string, string, RegExp] => [
      label,
      `--input ${quoted(input)}`,
      expected,
    ]),
    [
      'two --input values',
      `--input ${quoted({ name: GOOD_NAME })} --input ${quoted({ name: GOOD_NAME })}`,
      /exactly one JSON input, got 2/,
    ],
    ['not JSON at all', `--input 'name=projects/p/operations/x'`, /./],
  ];
  const ids = await Promise.all(
    cases.map(async ([label, input], i) => {
      const id = `bad-cli-input-${i}-${Date.now()}`;
      const started = await sh(
        `temporal workflow start --type cancelOperation --task-queue ${DEFAULT_TASK_QUEUE} --workflow-id ${id} ${input}`,
      );
      return { label, id, started };
    }),
  );
  for (const [i, { label, id, started }] of ids.entries()) {
    const expected = cases[i]![2];
    if (label === 'not JSON at all') {
      // The CLI itself refuses what is not JSON: nothing starts.
      assert.notEqual(started.code, 0, label);
      continue;
    }
    assert.equal(started.code, 0, `${label}: ${started.stderr}`);
    const result = await sh(`temporal workflow result --workflow-id ${id} -o json`);
    assert.notEqual(result.code, 0, label);
    const failure = (
      JSON.parse(result.stdout) as {
        closeEvent: {
          workflowExecutionFailedEventAttributes: {
            failure: { message: string; applicationFailureInfo: { type: string; nonRetryable: boolean } };
          };
        };
      }
    ).closeEvent.workflowExecutionFailedEventAttributes.failure;
    assert.equal(failure.applicationFailureInfo.type, 'InvalidInput', label);
    assert.equal(failure.applicationFailureInfo.nonRetryable, true, label);
    assert.match(failure.message, expected, `${label}: ${failure.message}`);
  }
  assert.ok(cases.length >= 30);
  assert.equal(h.ee.totalCalls(), before);
});
