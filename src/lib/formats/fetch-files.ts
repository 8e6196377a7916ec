// A checkpoint directory served over HTTP (the browser's FileSource): `read(name)` fetches
// baseUrl + name, `exists(name)` asks with HEAD (GET when the host refuses HEAD). A 404 — or an
// HTML page where a model file should be (a dev server's SPA fallback) — counts as missing.
import { CheckpointFileError } from '../errors.ts';
import { checkFileName, type FileSource } from './files.ts';

export type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

/** Called after each file is read: its name and size in bytes. */
export type FileReadListener = (name: string, bytes: number) => void;

export class FetchFiles implements FileSource {
  readonly baseUrl: string;
  /** Bodies fetched by an `exists` that had to fall back to GET, handed to the next `read`. */
  private readonly fetched = new Map<string, Uint8Array>();

  constructor(
    baseUrl: string,
    private readonly fetchFn: FetchFn = (input, init) => fetch(input, init),
    private readonly onRead?: FileReadListener,
  ) {
    this.baseUrl = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  }

  private url(name: string): string {
    checkFileName(name);
    return new URL(encodeURIComponent(name), this.baseUrl).href;
  }

  async read(name: string): Promise<Uint8Array> {
    const url = this.url(name);
    const cached = this.fetched.get(name);
    if (cached) {
      this.fetched.delete(name);
      this.onRead?.(name, cached.byteLength);
      return cached;
    }
    const res = await this.get(url, name);
    if (!found(res, name)) {
      throw new CheckpointFileError(
        `model file ${url} is missing (HTTP ${res.status}${isHtml(res) ? ', got an HTML page' : ''}); ` +
          'check that the model folder was deployed with the app (public/models/<name>/) or pick another model.',
      );
    }
    const bytes = new Uint8Array(await res.arrayBuffer());
    this.onRead?.(name, bytes.byteLength);
    return bytes;
  }

  async exists(name: string): Promise<boolean> {
    const url = this.url(name);
    if (this.fetched.has(name)) return true;
    let res = await this.request(url, name, 'HEAD');
    if (res.status === 405 || res.status === 501) {
      res = await this.get(url, name);
      if (found(res, name)) this.fetched.set(name, new Uint8Array(await res.arrayBuffer()));
    }
    return found(res, name);
  }

  private get(url: string, name: string): Promise<Response> {
    return this.request(url, name, 'GET');
  }

  private async request(url: string, name: string, method: 'GET' | 'HEAD'): Promise<Response> {
    try {
      return await this.fetchFn(url, { method });
    } catch (e) {
      throw new CheckpointFileError(
        `could not fetch model file ${name} from ${url} (${(e as Error).message}); check the network connection and reload the page.`,
        { cause: e },
      );
    }
  }
}

function isHtml(res: Response): boolean {
  return (res.headers.get('content-type') ?? '').includes('text/html');
}

function found(res: Response, name: string): boolean {
  if (res.status === 404 || res.status === 410) return false;
  if (!res.ok) {
    throw new CheckpointFileError(`the server answered HTTP ${res.status} for model file ${name}; reload the page, or check the host's logs.`);
  }
  return !(isHtml(res) && !/\.html?$/i.test(name));
}
