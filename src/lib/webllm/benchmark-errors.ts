// Named errors for loading and grading real benchmark problems (GSM8K, MATH-500) in the
// real-model tier. Like src/lib/errors.ts: `name` is the class name, the message ends with the remedy.
import { PsrError } from '../errors.ts';

/** The datasets server could not be reached (fetch rejected) or answered a non-2xx status. */
export class BenchmarkDownloadError extends PsrError {}

/** A benchmark row or answer field is not in the expected shape; the message names the row and field. */
export class BenchmarkFormatError extends PsrError {}
