// A CliIo for tests: keeps what a command prints and feeds it `stdin`.
import type { CliIo } from '../../src/cli/command.ts';

export function captureIo(stdin = ''): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out(t: string) {
      io.stdout += t;
    },
    err(t: string) {
      io.stderr += t;
    },
    readStdin: async () => stdin,
  };
  return io;
}
