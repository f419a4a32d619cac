#!/usr/bin/env node
import * as nodeModule from 'node:module';
import { DecodeError, NegotiationError } from '../core/errors.js';
import { USAGE, UsageError } from './usage.js';

type Command = (argv: string[]) => Promise<void>;

/**
 * Node 22.1+ keeps the compiled code of the modules loaded below on disk
 * (in the OS temp folder; NODE_DISABLE_COMPILE_CACHE=1 turns it off), so a
 * second run does not compile them again: the protobuf schemas alone are
 * about 40 ms of compile per process. Node 20 has no such cache (a no-op).
 */
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

/**
 * Each command's module is loaded when it runs: `decode` does not pay for
 * loading the server, the watch client and the inspector page (about 80 ms
 * of a short run, measured as a whole process).
 */
const commands: Record<string, () => Promise<Command>> = {
  decode: async () => (await import('./decode.js')).decodeCommand,
  encode: async () => (await import('./encode.js')).encodeCommand,
  transcode: async () => (await import('./encode.js')).transcodeCommand,
  demo: async () => (await import('./demo.js')).demoCommand,
  watch: async () => (await import('./watch.js')).watchCommand,
  serve: async () => (await import('./serve.js')).serveCommand,
};

/** Runs the CLI; resolves to the exit code. Bad input never prints a stack trace. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
  try {
    if (load === undefined) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
    await (await load())(rest);
    return 0;
  } catch (e) {
    if (e instanceof DecodeError || e instanceof NegotiationError) {
      process.stderr.write(`watchwire: ${e.message}\n`);
      return 1;
    }
    if (e instanceof UsageError || isParseArgsError(e)) {
      process.stderr.write(`watchwire: ${(e as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (isBrokenPipe(e)) return 0;
    const err = e as NodeJS.ErrnoException;
    if (err?.code === 'ENOENT' || err?.code === 'EACCES' || err?.code === 'EISDIR') {
      process.stderr.write(`watchwire: ${err.message}\n`);
      return 1;
    }
    throw e;
  }
}

function isParseArgsError(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

function isBrokenPipe(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
}

process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  // `watchwire decode ... | head` closes the pipe early: that is not a failure.
  if (e.code === 'EPIPE') process.exit(0);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`watchwire: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 70;
  },
);
