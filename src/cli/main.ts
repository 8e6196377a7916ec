// Entry of `npm run psr -- <command> [flags]` (run by tsx with the ?raw import hooks preloaded).
import { runCli } from './cli.ts';

process.exitCode = await runCli(process.argv.slice(2));
