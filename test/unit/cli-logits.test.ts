// `psr logits` in-process on the CPU backend: the JSON fields, log-probs equal to an independent
// forward + log-softmax, adapters (zero B = base numbers, random B = merged weights), tokenizer
// choice (post-processor BOS, the project's digit order), warnings and every named error.
import { rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.ts';
import { mergeLora } from '../../src/lib/model/lora.ts';
import { parameterCount } from '../../src/lib/model/weights.ts';
import { saveCheckpoint } from '../../src/lib/model/checkpoint.ts';
import { NodeFiles } from '../../src/lib/formats/node-files.ts';
import { Tokenizer } from '../../src/lib/tokenizer/tokenizer.ts';
import { toTokenizerConfig, toTokenizerJson } from '../../src/lib/tokenizer/tokenizer-json.ts';
import { SPECIAL_TOKENS } from '../../src/lib/tokenizer/special.ts';
import type { LogitsResult } from '../../src/cli/commands/logits.ts';
import { LOGITS_CONFIG, captureIo, referenceLogprobs, writeLogitsCheckpoint } from '../util/logits-checkpoint.ts';
import type { LogitsCheckpoint } from '../util/logits-checkpoint.ts';
import { TEMPLATE_BOS } from './tokenizer/hf-fixtures.ts';

const TEXT = 'Tom has 12 apples.';
let ck: LogitsCheckpoint;

beforeAll(async () => {
  ck = await writeLogitsCheckpoint();
});
afterAll(() => rmSync(ck.root, { recursive: true, force: true }));

async function logits(...args: string[]): Promise<{ code: number; json: LogitsResult; stderr: string }> {
  const io = captureIo();
  const code = await runCli(['logits', '--backend', 'cpu', ...args, '--json'], io);
  expect(io.stderr, 'stderr of a successful run').not.toMatch(/Error/);
  return { code, json: JSON.parse(io.stdout) as LogitsResult, stderr: io.stderr };
}

async function fails(...args: string[]): Promise<{ code: number; stderr: string }> {
  const io = captureIo();
  const code = await runCli(['logits', ...args], io);
  expect(io.stdout).toBe('');
  return { code, stderr: io.stderr };
}

function expectNear(actual: readonly (number | null)[], expected: readonly (number | null)[], tol: number): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    if (expected[i] === null) expect(a).toBeNull();
    else expect(Math.abs((a as number) - (expected[i] as number)), `index ${i}: ${a} vs ${expected[i]}`).toBeLessThanOrEqual(tol);
  });
}

describe('psr logits on the CPU backend', () => {
  it('prints ids, tokens, log-probs and the last logits matching an independent forward + log-softmax', async () => {
    const { code, json } = await logits('--model', ck.modelDir, '--text', TEXT);
    expect(code).toBe(0);
    expect(json.model).toMatchObject({ model_type: 'qwen2', params: parameterCount(LOGITS_CONFIG), vocab_size: 26 });
    expect(json.backend).toBe('cpu');
    expect(json.tokenizer).toBe('hf-wordlevel');
    expect(json.adapter).toBeNull();
    expect(json.tokens).toEqual(['Tom', 'has', '1', '2', 'apples', '.']);
    expect(json.ids).toEqual([3, 4, 6, 7, 8, 9]);
    expect(json.unknown).toEqual([]);
    const ref = await referenceLogprobs(ck.weights, json.ids);
    expectNear(json.logprobs, ref.logprobs, 1e-6);
    expectNear(json.last_logits, Array.from(ref.lastLogits), 0);
    const sum = ref.logprobs.reduce<number>((s, x) => s + (x ?? 0), 0);
    expect(Math.abs(json.sum_logprob - sum)).toBeLessThan(1e-5);
    expect(json.logprobs.slice(1).every((lp) => lp !== null && lp < 0)).toBe(true);
  });

  it('a zero-B adapter gives the base numbers; a random-B adapter gives the merged weights\' numbers', async () => {
    const base = (await logits('--model', ck.modelDir, '--text', TEXT)).json;
    const zero = (await logits('--model', ck.modelDir, '--adapter', ck.zeroAdapterDir, '--text', TEXT)).json;
    expect(zero.adapter).toMatchObject({ r: 4, alpha: 8, target_modules: ['q_proj', 'v_proj', 'o_proj', 'down_proj'] });
    expectNear(zero.logprobs, base.logprobs, 1e-6);
    expectNear(zero.last_logits, base.last_logits, 1e-6);

    const adapted = (await logits('--model', ck.modelDir, '--adapter', ck.adapterDir, '--text', TEXT)).json;
    const merged = await referenceLogprobs(mergeLora(ck.weights, ck.adapter), adapted.ids);
    expectNear(adapted.logprobs, merged.logprobs, 1e-4);
    expectNear(adapted.last_logits, Array.from(merged.lastLogits), 1e-4);
    // …and the adapter really changed something.
    expect(Math.max(...adapted.last_logits.map((v, i) => Math.abs(v - base.last_logits[i])))).toBeGreaterThan(1e-2);
  });

  it('adds a BOS only when the tokenizer.json post_processor template asks for it', async () => {
    const dir = join(ck.root, 'model-bos');
    await saveCheckpoint(new NodeFiles(dir), { config: LOGITS_CONFIG, weights: ck.weights, tokenizerJson: TEMPLATE_BOS });
    const { json } = await logits('--model', dir, '--text', 'Tom has 3 apples.');
    expect(json.tokens).toEqual(['[BOS]', 'Tom', 'has', '3', 'apples.', '[EOS]']);
    expect(json.logprobs[0]).toBeNull();
    expectNear(json.logprobs, (await referenceLogprobs(ck.weights, json.ids)).logprobs, 1e-6);
  });

  it('uses the project tokenizer (and its digit order) when tokenizer_config.json says so', async () => {
    const own = new Tokenizer([...SPECIAL_TOKENS, 'Tom', 'has', 'apples', '.', ...'0123456789'], 'lsd'); // 26 tokens
    const dir = join(ck.root, 'model-psr');
    await saveCheckpoint(new NodeFiles(dir), { config: LOGITS_CONFIG, weights: ck.weights, tokenizerJson: toTokenizerJson(own) });
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(toTokenizerConfig(own)));
    const { json } = await logits('--model', dir, '--text', TEXT);
    expect(json.tokenizer).toBe('psr');
    expect(json.tokens).toEqual(['Tom', 'has', '2', '1', 'apples', '.']);
    expectNear(json.logprobs, (await referenceLogprobs(ck.weights, json.ids)).logprobs, 1e-6);
  });

  it('scores text with unknown words, lists them and warns on stderr', async () => {
    const { code, json, stderr } = await logits('--model', ck.modelDir, '--text', 'Tom has 12 pears.');
    expect(code).toBe(0);
    expect(json.unknown).toEqual(['pears']);
    expect(json.tokens).toEqual(['Tom', 'has', '1', '2', '[UNK]', '.']);
    expect(stderr).toMatch(/warning: 1 word\(s\) not in the vocabulary .*"pears"/);
  });

  it('prints a readable table with the top-K next tokens in text mode', async () => {
    const io = captureIo();
    expect(await runCli(['logits', '--backend', 'cpu', '--model', ck.modelDir, '--text', TEXT, '--top', '3'], io)).toBe(0);
    expect(io.stdout).toMatch(/backend cpu; tokenizer hf-wordlevel/);
    expect(io.stdout).toMatch(/\n\s+5\s+9\s+-\d+\.\d{4}\s+"\."\n/);
    expect(io.stdout).toMatch(/top 3 next tokens after the text/);
    const topLines = io.stdout.trimEnd().split('\n').slice(-3);
    expect(topLines).toHaveLength(3);
    const values = topLines.map((l) => Number(l.trim().split(/\s+/)[1]));
    expect(values).toEqual([...values].sort((a, b) => b - a));
  });
});

describe('psr logits: named errors', () => {
  it('a missing model directory says what a model directory must hold (exit 1)', async () => {
    const { code, stderr } = await fails('--model', join(ck.root, 'nope'), '--text', TEXT);
    expect(code).toBe(1);
    expect(stderr).toMatch(/CheckpointFileError: --model .*nope does not exist; a model directory must hold config\.json, model\.safetensors/);
  });

  it('a directory without tokenizer.json names the missing file', async () => {
    const dir = join(ck.root, 'no-tokenizer');
    await saveCheckpoint(new NodeFiles(dir), { config: LOGITS_CONFIG, weights: ck.weights });
    const { code, stderr } = await fails('--model', dir, '--text', TEXT);
    expect(code).toBe(1);
    expect(stderr).toMatch(/CheckpointFileError: --model .*no-tokenizer has no tokenizer\.json; a model directory must hold/);
  });

  it('an adapter directory without adapter_model.safetensors names it', async () => {
    const dir = join(ck.root, 'half-adapter');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'adapter_config.json'), '{}');
    const { code, stderr } = await fails('--model', ck.modelDir, '--adapter', dir, '--text', TEXT);
    expect(code).toBe(1);
    expect(stderr).toMatch(/--adapter .*half-adapter has no adapter_model\.safetensors; an adapter directory \(PEFT format\) must hold/);
  });

  it('bad flags are UsageErrors or SettingsErrors (exit 2): backend, empty text, missing --text or --model, --top', async () => {
    const cases: [string[], RegExp][] = [
      [['--model', ck.modelDir, '--text', TEXT, '--backend', 'tpu'], /^SettingsError: --backend \(Backend\) must be one of auto, webgpu, wasm, cpu; got "tpu"/],
      [['--model', ck.modelDir, '--text', ''], /--text is empty/],
      [['--model', ck.modelDir, '--text', ' \n '], /gives no tokens/],
      [['--model', ck.modelDir], /--text is required/],
      [['--text', TEXT], /--model is required/],
      [['--model', ck.modelDir, '--text', TEXT, '--top', '0'], /--top must be a positive integer/],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await fails(...args);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr).toMatch(/^(UsageError|SettingsError): /);
      expect(stderr).toMatch(message);
    }
  });

  it('text longer than max_position_embeddings is a TextTooLongError', async () => {
    const long = Array.from({ length: 17 }, () => 'Tom').join(' ');
    const { code, stderr } = await fails('--model', ck.modelDir, '--text', long);
    expect(code).toBe(1);
    expect(stderr).toMatch(/TextTooLongError: the text has 17 tokens but the model's context is max_position_embeddings = 16; shorten the text/);
  });

  it('a tokenizer id beyond the model\'s vocab_size is a TokenizerFormatError', async () => {
    const dir = join(ck.root, 'big-ids');
    const tokenizerJson = { ...TEMPLATE_BOS, model: { type: 'WordLevel', vocab: { ...(TEMPLATE_BOS.model as { vocab: object }).vocab, pears: 30 }, unk_token: '[UNK]' } };
    await saveCheckpoint(new NodeFiles(dir), { config: LOGITS_CONFIG, weights: ck.weights, tokenizerJson });
    const { code, stderr } = await fails('--model', dir, '--text', 'Tom has 3 pears');
    expect(code).toBe(1);
    expect(stderr).toMatch(/TokenizerFormatError: tokenizer\.json maps "pears" to id 30, but the model's vocab_size is 26/);
  });

  it('an unsupported tokenizer.json is an UnsupportedTokenizerError naming the component', async () => {
    const dir = join(ck.root, 'bytelevel');
    await saveCheckpoint(new NodeFiles(dir), {
      config: LOGITS_CONFIG,
      weights: ck.weights,
      tokenizerJson: { ...TEMPLATE_BOS, pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true } },
    });
    const { code, stderr } = await fails('--model', dir, '--text', TEXT);
    expect(code).toBe(1);
    expect(stderr).toMatch(/UnsupportedTokenizerError: tokenizer\.json pre_tokenizer type "Metaspace" is not supported/);
  });
});
