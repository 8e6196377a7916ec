// FetchFiles (the browser's FileSource) against a fake fetch: present files, 404s, a dev server's
// HTML fallback, hosts that refuse HEAD, network failures; and the 'auto' backend decision.
import { describe, expect, it } from 'vitest';
import { FetchFiles, type FetchFn } from '../../../src/lib/formats/fetch-files.ts';
import { decideBackend } from '../../../src/lib/backend/choice.ts';
import type { GpuInfo } from '../../../src/lib/gpu/device.ts';
import { rejection } from '../../util/rejection.ts';

function fakeHost(files: Record<string, string>, opts: { noHead?: boolean; htmlFallback?: boolean } = {}) {
  const calls: string[] = [];
  const fetchFn: FetchFn = async (url, init) => {
    const method = init?.method ?? 'GET';
    calls.push(`${method} ${url}`);
    if (method === 'HEAD' && opts.noHead) return new Response(null, { status: 405 });
    const name = decodeURIComponent(url.slice('https://host/m/'.length));
    if (name in files) return new Response(method === 'HEAD' ? null : files[name], { status: 200, headers: { 'content-type': 'application/octet-stream' } });
    if (opts.htmlFallback) return new Response(method === 'HEAD' ? null : '<!doctype html>', { status: 200, headers: { 'content-type': 'text/html' } });
    return new Response('not found', { status: 404 });
  };
  return { fetchFn, calls };
}

describe('FetchFiles', () => {
  it('reads present files and reports missing ones', async () => {
    const host = fakeHost({ 'config.json': '{"a":1}' });
    const read: string[] = [];
    const src = new FetchFiles('https://host/m', host.fetchFn, (name, n) => read.push(`${name}:${n}`));
    expect(await src.exists('config.json')).toBe(true);
    expect(await src.exists('tokenizer.json')).toBe(false);
    expect(new TextDecoder().decode(await src.read('config.json'))).toBe('{"a":1}');
    expect(read).toEqual(['config.json:7']);
    const err = await rejection(src.read('model.safetensors'));
    expect(err.name).toBe('CheckpointFileError');
    expect(err.message).toContain('https://host/m/model.safetensors');
    expect(host.calls[0]).toBe('HEAD https://host/m/config.json');
  });

  it('treats an HTML fallback page as a missing model file', async () => {
    const src = new FetchFiles('https://host/m/', fakeHost({}, { htmlFallback: true }).fetchFn);
    expect(await src.exists('model.safetensors.index.json')).toBe(false);
    expect((await rejection(src.read('config.json'))).message).toContain('HTML');
  });

  it('falls back to GET when HEAD is refused, without downloading twice', async () => {
    const host = fakeHost({ 'tokenizer.json': '{}' }, { noHead: true });
    const src = new FetchFiles('https://host/m/', host.fetchFn);
    expect(await src.exists('tokenizer.json')).toBe(true);
    expect(new TextDecoder().decode(await src.read('tokenizer.json'))).toBe('{}');
    expect(host.calls.filter((c) => c.startsWith('GET'))).toHaveLength(1);
  });

  it('names network failures, server errors and unsafe names', async () => {
    const down = new FetchFiles('https://host/m/', async () => {
      throw new TypeError('Failed to fetch');
    });
    expect((await rejection(down.read('config.json'))).message).toContain('Failed to fetch');
    const broken = new FetchFiles('https://host/m/', async () => new Response('', { status: 500 }));
    expect((await rejection(broken.exists('config.json'))).message).toContain('HTTP 500');
    expect((await rejection(broken.read('../secret'))).name).toBe('CheckpointFileError');
  });
});

const gpu = (software: boolean): GpuInfo => ({
  vendor: software ? 'google' : 'nvidia', architecture: software ? 'swiftshader' : 'ampere', device: '', description: '',
  features: [], limits: {} as GpuInfo['limits'], runtime: 'browser', software,
});

describe('decideBackend', () => {
  it("'auto' uses WebGPU only on a hardware adapter", () => {
    expect(decideBackend('auto', { ok: true, info: gpu(false) })?.backend).toBe('webgpu');
    const sw = decideBackend('auto', { ok: true, info: gpu(true) });
    expect(sw?.backend).toBe('wasm');
    expect(sw?.reason).toMatch(/software rasterizer/);
    const none = decideBackend('auto', { ok: false, name: 'WebGpuUnavailableError', message: 'no navigator.gpu' });
    expect(none?.backend).toBe('wasm');
    expect(none?.reason).toContain('WebGpuUnavailableError');
  });

  it('honours an explicit choice; WebGPU without a device is null (the caller rethrows)', () => {
    expect(decideBackend('wasm', { ok: true, info: gpu(false) })?.backend).toBe('wasm');
    expect(decideBackend('webgpu', { ok: true, info: gpu(true) })?.backend).toBe('webgpu');
    expect(decideBackend('webgpu', { ok: false, name: 'NoAdapterError', message: '' })).toBeNull();
  });
});
