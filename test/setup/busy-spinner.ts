import { ChildProcess, spawn } from 'node:child_process';

// Jest loads the global setup and teardown as separate modules of one process: the child is kept on
// globalThis so the teardown finds it.
const KEY = Symbol.for('dispatch.chaos.busySpinner');
type Holder = { [KEY]?: ChildProcess };

// `for(;;){}` in slices: between slices it checks that the Jest process that started it is still its parent,
// so a run killed before its teardown does not leave a core spinning on a shared machine.
const SPIN = `
const parent = Number(process.argv[1]);
for (;;) {
  const until = Date.now() + 200;
  while (Date.now() < until) {}
  if (process.ppid !== parent) process.exit(0);
}`;

/** Starts a process that keeps one core busy until stopBusySpinner (or until this process is gone). */
export function startBusySpinner(): void {
  const holder = globalThis as Holder;
  if (holder[KEY]) return;
  const child = spawn(process.execPath, ['-e', SPIN, String(process.pid)], { stdio: 'ignore' });
  holder[KEY] = child;
  process.stdout.write(`\nCHAOS_BUSY=1: pid ${child.pid} keeps one core busy for the whole run\n`);
}

export async function stopBusySpinner(): Promise<void> {
  const holder = globalThis as Holder;
  const child = holder[KEY];
  if (!child) return;
  delete holder[KEY];
  if (child.exitCode !== null || child.signalCode !== null) {
    process.stdout.write(
      `CHAOS_BUSY=1: the spinner had exited early (${child.exitCode ?? child.signalCode})\n`,
    );
    return;
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
