#!/usr/bin/env node
// anodectl's entry point and the CLI's only process.exit: exit codes are documented in
// docs/cli.md and anodectl(1).
import { processIo } from './context.js';
import { buildProgram, run } from './program.js';

// `anodectl ... | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

const io = processIo();
const code = await run(buildProgram(io), process.argv, io);
// Exit explicitly so an idle keep-alive socket cannot hold the process open.
process.exit(code);
