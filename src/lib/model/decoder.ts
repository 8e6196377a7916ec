// Incremental decoding with a KV cache: B rows, each with up to S cached positions. `append`
// runs new tokens through the model (prefill = many tokens, decode = one per row), writing their
// keys/values into the cache and returning the logits of each row's last new token. `fork`
// copies one row's cache into others, so a shared prefix is prefilled once and its w candidates
// are decoded together.
import type { Backend, Tensor } from '../backend/backend.ts';
import type { ModelParams } from './params.ts';
import { Workspace, forward, linear, project, type LinearScratch } from './transformer.ts';
import { packBatch } from './batch.ts';
import { InvalidInputError } from '../errors.ts';

export class Decoder implements LinearScratch {
  readonly backend: Backend;
  /** Cached positions per row (the next token of row b goes to slot lengths[b]). */
  readonly lengths: number[];
  N = 0;
  private readonly kCache: Tensor[] = []; // per layer (B,S,NKV*HS), after RoPE
  private readonly vCache: Tensor[] = []; // per layer (B,S,NKV*HS)
  private readonly valid: Uint32Array; // (B,S) CPU copy of the key-valid mask
  private readonly scratch = new Map<string, Tensor>();
  private rowTmp: Tensor | null = null;

  constructor(
    readonly params: ModelParams,
    readonly B: number,
    readonly S: number,
  ) {
    const c = params.config;
    if (S > c.maxPositionEmbeddings) {
      throw new InvalidInputError(`Decoder: ${S} cache slots exceed max_position_embeddings = ${c.maxPositionEmbeddings}; use fewer.`);
    }
    this.backend = params.backend;
    const KD = c.numKvHeads * c.headDim;
    for (let l = 0; l < c.numLayers; l++) {
      this.kCache.push(this.backend.zeros(B * S * KD, `kcache.l${l}`));
      this.vCache.push(this.backend.zeros(B * S * KD, `vcache.l${l}`));
    }
    this.valid = new Uint32Array(B * S);
    this.lengths = new Array(B).fill(0);
  }

  tmp(key: string, length: number): Tensor {
    const k = `${key}:${length}`;
    let t = this.scratch.get(k);
    if (!t) {
      t = this.backend.zeros(length, `decode:${k}`);
      this.scratch.set(k, t);
    }
    return t;
  }

  /** Forget every row (the cache memory is kept). */
  reset(): void {
    this.valid.fill(0);
    this.lengths.fill(0);
  }

  /** Make rows `to` copies of row `from` (cache contents and length). */
  async fork(from: number, to: number[]): Promise<void> {
    const c = this.params.config;
    const rowLen = this.S * c.numKvHeads * c.headDim;
    this.rowTmp ??= this.backend.zeros(rowLen, 'decode:fork-row');
    for (const caches of [this.kCache, this.vCache]) {
      for (const cache of caches) {
        // Copying within one buffer is not allowed on WebGPU: go through a row-sized scratch.
        await this.backend.copy(this.rowTmp, cache, rowLen, from * rowLen, 0);
        for (const r of to) if (r !== from) await this.backend.copy(cache, this.rowTmp, rowLen, 0, r * rowLen);
      }
    }
    for (const r of to) {
      this.valid.copyWithin(r * this.S, from * this.S, (from + 1) * this.S);
      this.lengths[r] = this.lengths[from];
    }
  }

  /**
   * Prefill every row with its own prompt through the training forward pass (full causal
   * attention on the fast kernels), then copy each layer's keys and values into the cache.
   * All rows must be empty. Returns the logits (B,V) after each prompt.
   */
  async prefill(prompts: (readonly number[])[]): Promise<Float32Array> {
    const be = this.backend;
    const c = this.params.config;
    const { B, S } = this;
    if (prompts.length !== B) throw new InvalidInputError(`Decoder.prefill: got ${prompts.length} prompts, the decoder has ${B} rows.`);
    if (this.lengths.some((n) => n > 0)) throw new InvalidInputError('Decoder.prefill: the cache is not empty; call reset() first.');
    const T = Math.max(1, ...prompts.map((p) => p.length));
    if (T > S) throw new InvalidInputError(`Decoder.prefill: a prompt of ${T} tokens does not fit the cache of ${S}; shorten it or make a larger decoder.`);
    const batch = packBatch(prompts, this.params.config.padTokenId ?? 0, T);
    const ws = new Workspace(be, this.params, B, T);
    try {
      await forward(ws, batch);
      const pos = Int32Array.from(batch.keyValid, (v, i) => (v ? i % T : -1));
      const posT = be.fromInts(pos, 'prefill:pos', 'i32');
      const KD = c.numKvHeads * c.headDim;
      for (let l = 0; l < c.numLayers; l++) {
        await be.kvWrite(this.kCache[l], ws.layers[l].kr, posT, B, T, S, KD);
        await be.kvWrite(this.vCache[l], ws.layers[l].v, posT, B, T, S, KD);
      }
      be.free(posT);
      const all = await be.read(ws.logits);
      const V = c.vocabSize;
      const out = new Float32Array(B * V);
      prompts.forEach((p, b) => {
        if (p.length > 0) out.set(all.subarray((b * T + p.length - 1) * V, (b * T + p.length) * V), b * V);
        for (let t = 0; t < p.length; t++) this.valid[b * S + t] = 1;
        this.lengths[b] = p.length;
      });
      return out;
    } finally {
      ws.free();
    }
  }

  /**
   * Prefill ONE prompt once (a 1-row forward pass), then fork it into every row: the cost of a
   * shared prefix is T tokens, not B·T. All rows must be empty. Returns the logits (B,V), one
   * identical row per decoder row.
   */
  async prefillShared(prompt: readonly number[]): Promise<Float32Array> {
    const be = this.backend;
    const c = this.params.config;
    const { B, S } = this;
    if (this.lengths.some((n) => n > 0)) throw new InvalidInputError('Decoder.prefillShared: the cache is not empty; call reset() first.');
    const T = prompt.length;
    if (T === 0 || T > S) throw new InvalidInputError(`Decoder.prefillShared: a prompt of ${T} tokens does not fit the cache of ${S} (nor may it be empty).`);
    const ws = new Workspace(be, this.params, 1, T);
    try {
      await forward(ws, packBatch([prompt], c.padTokenId ?? 0, T));
      const KD = c.numKvHeads * c.headDim;
      // Row 0's slots 0..T−1 are contiguous in the (B,S,KD) cache: a straight copy.
      for (let l = 0; l < c.numLayers; l++) {
        await be.copy(this.kCache[l], ws.layers[l].kr, T * KD, 0, 0);
        await be.copy(this.vCache[l], ws.layers[l].v, T * KD, 0, 0);
      }
      const V = c.vocabSize;
      const last = (await be.read(ws.logits)).subarray((T - 1) * V, T * V);
      for (let t = 0; t < T; t++) this.valid[t] = 1;
      this.lengths[0] = T;
      if (B > 1) await this.fork(0, Array.from({ length: B - 1 }, (_, i) => i + 1));
      const out = new Float32Array(B * V);
      for (let b = 0; b < B; b++) out.set(last, b * V);
      return out;
    } finally {
      ws.free();
    }
  }

  /**
   * Append `tokens[b]` to row b (rows with no tokens are left alone) and return the logits (B,V)
   * of each row's last appended token (zeros for rows that got none).
   */
  async append(tokens: (readonly number[])[]): Promise<Float32Array> {
    return (await this.appendAll(tokens)).last;
  }

  /** Like append, but also returns the logits of every appended position: all (B,Tq,V), Tq = longest row. */
  async appendAll(tokens: (readonly number[])[]): Promise<{ last: Float32Array; all: Float32Array; Tq: number }> {
    const be = this.backend;
    const c = this.params.config;
    const { B, S } = this;
    if (tokens.length !== B) throw new InvalidInputError(`Decoder.append: got ${tokens.length} rows of tokens, the decoder has ${B}.`);
    const Tq = Math.max(1, ...tokens.map((t) => t.length));
    for (let b = 0; b < B; b++) {
      if (this.lengths[b] + tokens[b].length > S) {
        throw new InvalidInputError(
          `Decoder.append: row ${b} would hold ${this.lengths[b] + tokens[b].length} tokens, more than the cache's ${S}; ` +
            'stop earlier or make a larger decoder.',
        );
      }
    }
    const N = (this.N = B * Tq);
    const C = c.hiddenSize;
    const NH = c.numHeads;
    const NKV = c.numKvHeads;
    const HS = c.headDim;
    const I = c.intermediateSize;
    const V = c.vocabSize;
    const tok = new Int32Array(N);
    const pos = new Int32Array(N).fill(-1); // absolute slot of each new token; −1 = padding
    const ropePos = new Int32Array(N);
    for (let b = 0; b < B; b++) {
      tokens[b].forEach((id, t) => {
        if (!Number.isInteger(id) || id < 0 || id >= V) {
          throw new InvalidInputError(`Decoder.append: token id ${id} (row ${b}) is outside the vocabulary of ${V}.`);
        }
        tok[b * Tq + t] = id;
        pos[b * Tq + t] = this.lengths[b] + t;
        ropePos[b * Tq + t] = this.lengths[b] + t;
        this.valid[b * S + this.lengths[b] + t] = 1;
      });
    }
    const tokT = be.fromInts(tok, 'decode:tokens', 'i32');
    const posT = be.fromInts(pos, 'decode:pos', 'i32');
    const ropeT = be.fromInts(ropePos, 'decode:rope-pos', 'i32');
    const validT = be.fromInts(this.valid, 'decode:valid', 'u32');
    const t = (k: string, n: number) => this.tmp(k, n);
    let x = t('x0', N * C);
    let xNext = t('x1', N * C);
    await be.embeddingForward(x, tokT, this.params.embed, N, C, V);
    for (let l = 0; l < c.numLayers; l++) {
      const w = this.params.layers[l];
      const ln = t('ln', N * C);
      const rstd = t('rstd', N);
      const q = t('q', N * NH * HS);
      const k = t('k', N * NKV * HS);
      const v = t('v', N * NKV * HS);
      const qr = t('qr', N * NH * HS);
      const kr = t('kr', N * NKV * HS);
      const ao = t('ao', N * NH * HS);
      const o = t('o', N * C);
      const xMid = t('xMid', N * C);
      await be.rmsnormForward(ln, rstd, x, w.inputNorm, N, C, c.rmsNormEps);
      await linear(this, undefined, w, 'q_proj', q, ln, w.qProj, w.qBias, C, NH * HS);
      await linear(this, undefined, w, 'k_proj', k, ln, w.kProj, w.kBias, C, NKV * HS);
      await linear(this, undefined, w, 'v_proj', v, ln, w.vProj, w.vBias, C, NKV * HS);
      await be.ropeForward(qr, q, ropeT, N, NH, HS, c.ropeTheta);
      await be.ropeForward(kr, k, ropeT, N, NKV, HS, c.ropeTheta);
      await be.kvWrite(this.kCache[l], kr, posT, B, Tq, S, NKV * HS);
      await be.kvWrite(this.vCache[l], v, posT, B, Tq, S, NKV * HS);
      await be.cachedAttentionForward(ao, qr, this.kCache[l], this.vCache[l], validT, posT, B, Tq, S, NH, NKV, HS);
      await linear(this, undefined, w, 'o_proj', o, ao, w.oProj, w.oBias, NH * HS, C);
      await be.residualForward(xMid, x, o, N * C);
      const gate = t('gate', N * I);
      const up = t('up', N * I);
      const act = t('act', N * I);
      const down = t('down', N * C);
      await be.rmsnormForward(ln, rstd, xMid, w.postAttnNorm, N, C, c.rmsNormEps);
      await linear(this, undefined, w, 'gate_proj', gate, ln, w.gateProj, null, C, I);
      await linear(this, undefined, w, 'up_proj', up, ln, w.upProj, null, C, I);
      await be.swigluForward(act, gate, up, N, I);
      await linear(this, undefined, w, 'down_proj', down, act, w.downProj, null, I, C);
      await be.residualForward(xNext, xMid, down, N * C);
      [x, xNext] = [xNext, x];
    }
    const lnf = t('lnf', N * C);
    const logits = t('logits', N * V);
    await be.rmsnormForward(lnf, t('rstd', N), x, this.params.norm, N, C, c.rmsNormEps);
    await project(be, logits, lnf, this.params.head, null, N, C, V);
    const all = await be.read(logits);
    for (const tt of [tokT, posT, ropeT, validT]) be.free(tt);
    const out = new Float32Array(B * V);
    for (let b = 0; b < B; b++) {
      const n = tokens[b].length;
      if (n > 0) out.set(all.subarray((b * Tq + n - 1) * V, (b * Tq + n) * V), b * V);
      this.lengths[b] += n;
    }
    return { last: out, all, Tq };
  }

  free(): void {
    for (const t of [...this.kCache, ...this.vCache, ...this.scratch.values()]) this.backend.free(t);
    if (this.rowTmp) this.backend.free(this.rowTmp);
    this.scratch.clear();
  }
}
