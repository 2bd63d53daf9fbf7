import { Readable, Writable } from 'node:stream';

import { CommandRefusedError } from './cli.errors';

type Input = Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };

const ENTER = new Set(['\r', '\n']);
const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const BACKSPACE = new Set(['\u007f', '\b']);

/** The first line of a piped stdin (`printf '%s\n' "$PW" | dispatch …`), without its line break. */
async function firstLine(input: Readable): Promise<string> {
  let text = '';
  for await (const chunk of input) {
    text += String(chunk);
    if (/\r?\n/.test(text)) break;
  }
  return text.split(/\r?\n/)[0];
}

/** Reads one line from a terminal without echoing it. */
function hidden(input: Input, output: Writable, prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let typed = '';
    output.write(prompt);
    input.setRawMode!(true);
    input.setEncoding('utf8');
    const done = (error?: Error) => {
      input.setRawMode!(false);
      input.pause();
      input.off('data', onData);
      output.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (ENTER.has(char)) return done();
        if (char === CTRL_C || char === CTRL_D) return done(new CommandRefusedError('no password entered'));
        if (BACKSPACE.has(char)) typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    input.on('data', onData);
    input.resume();
  });
}

/**
 * The new account's password: asked twice, unechoed, on a terminal; otherwise the first line of stdin, so
 * that it never appears in the command line (shell history, `ps`).
 */
export async function readPassword(input: Input, output: Writable): Promise<string> {
  if (!input.isTTY || !input.setRawMode) return firstLine(input);
  const password = await hidden(input, output, 'Password: ');
  const again = await hidden(input, output, 'Repeat password: ');
  if (password !== again) throw new CommandRefusedError('the two passwords differ');
  return password;
}
