// TourState: whether the guided tour is open, which stop it shows, and the presenter mode (large type for a projector).
import { TOUR, type TourStop } from './tour-steps.ts';

export class TourState {
  open = $state(false);
  index = $state(0);
  presenter = $state(false);
  readonly stops: readonly TourStop[] = TOUR;
  readonly stop = $derived(this.stops[this.index]);

  start(): void {
    this.index = 0;
    this.open = true;
  }
  next(): void {
    if (this.index < this.stops.length - 1) this.index++;
    else this.open = false;
  }
  back(): void {
    if (this.index > 0) this.index--;
  }
  close(): void {
    this.open = false;
  }
  togglePresenter(): void {
    this.presenter = !this.presenter;
  }
}
