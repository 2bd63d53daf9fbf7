#!/usr/bin/env node
import 'reflect-metadata';

import { runCli } from './cli/run-cli';

/** `dispatch` (package bin, `npx dispatch …`): the operators' command line. See `dispatch --help`. */
void runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
}).then((code) => process.exit(code));
