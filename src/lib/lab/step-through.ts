// Step-through of an iteration (for a class): the engine pauses itself right after each searched
// problem and each training step, and waits there until resumed (Next on the page). The pause is
// taken in the worker as the event is emitted, so the next unit of work waits at its first backend read-back.
import type { IterationEvent } from './types.ts';

/** The events an iteration stops after in step-through: a problem's search ended, a training step ended. */
export function isStepStop(e: IterationEvent): boolean {
  return (e.type === 'search' && e.event.type === 'problem-end') || e.type === 'train-step';
}
