// The error a promise rejects with (the test fails if it resolves): for asserting on err.name and
// err.message, as the page does with errors that crossed the worker boundary.
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the promise to reject');
}
