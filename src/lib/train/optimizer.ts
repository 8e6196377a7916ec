// AdamW over a model's trainable tensors, on the model's backend: global-norm clipping, then one
// decoupled-weight-decay Adam step per tensor (no decay on norms and biases). A non-finite
// gradient norm stops before any parameter changes.
import type { Backend, Tensor } from '../backend/backend.ts';
import type { Trainable } from '../model/params.ts';
import { NonFiniteError, TrainStateError } from '../errors.ts';

export interface AdamWConfig {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** Global gradient-norm clip (Infinity = off). */
  maxGradNorm: number;
}

/** The AdamW every fine-tuning run here uses (cold start, step-DPO, the benchmark's training step); pretraining lowers beta2. */
export const DEFAULT_ADAMW: Readonly<AdamWConfig> = Object.freeze({ beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 });

export class AdamW {
  private readonly m: Tensor[];
  private readonly v: Tensor[];
  /** Steps taken (the 1-based t of the last step). */
  step = 0;

  constructor(
    private readonly backend: Backend,
    private readonly trainables: Trainable[],
    readonly config: AdamWConfig = DEFAULT_ADAMW,
  ) {
    this.m = trainables.map((t) => backend.zeros(t.param.length, `adam.m:${t.name}`));
    this.v = trainables.map((t) => backend.zeros(t.param.length, `adam.v:${t.name}`));
  }

  /** Clip, then update every trainable with learning rate `lr`; resolves to the pre-clip gradient norm. */
  async update(lr: number): Promise<number> {
    const { beta1, beta2, eps, weightDecay, maxGradNorm } = this.config;
    const norm = await this.backend.clipGradNorm(this.trainables.map((t) => t.grad), maxGradNorm);
    if (!Number.isFinite(norm)) {
      throw new NonFiniteError(
        `gradient norm is ${norm}: the step was skipped and the parameters are unchanged. Lower the learning rate, ` +
          'check the data for empty or absurd examples, or resume from the last checkpoint.',
      );
    }
    this.step++;
    for (const [i, t] of this.trainables.entries()) {
      await this.backend.adamwStep(t.param, t.grad, this.m[i], this.v[i], {
        lr, beta1, beta2, eps, weightDecay: t.decay ? weightDecay : 0,
      }, this.step);
    }
    return norm;
  }

  /** Every trainable with its moments, read back (for a training checkpoint). */
  async readState(): Promise<{ name: string; param: Float32Array; m: Float32Array; v: Float32Array }[]> {
    const out = [];
    for (const [i, t] of this.trainables.entries()) {
      out.push({ name: t.name, param: await this.backend.read(t.param), m: await this.backend.read(this.m[i]), v: await this.backend.read(this.v[i]) });
    }
    return out;
  }

  /** Restore the parameters, moments and step count of a checkpoint (TrainStateError when it does not fit). */
  loadState(state: readonly { name: string; param: Float32Array; m: Float32Array; v: Float32Array }[], step: number): void {
    const byName = new Map(state.map((s) => [s.name, s]));
    if (byName.size !== this.trainables.length) {
      throw new TrainStateError(`the checkpoint holds ${byName.size} trained tensors, this run trains ${this.trainables.length}; resume with the same model and mode.`);
    }
    for (const [i, t] of this.trainables.entries()) {
      const s = byName.get(t.name);
      if (!s || s.param.length !== t.param.length) {
        throw new TrainStateError(`the checkpoint's ${t.name} is ${s ? `${s.param.length} values, not ${t.param.length}` : 'missing'}; resume with the same model and mode.`);
      }
      this.backend.write(t.param, s.param);
      this.backend.write(this.m[i], s.m);
      this.backend.write(this.v[i], s.v);
    }
    this.step = step;
  }

  free(): void {
    for (const t of [...this.m, ...this.v]) this.backend.free(t);
  }
}
