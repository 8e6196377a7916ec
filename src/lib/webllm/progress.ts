// Download progress of a real model as the page shows it: WebLLM reports {progress, timeElapsed, text}
// with texts like "Fetching param cache[3/27]: 210MB fetched. 11% completed, 14 secs elapsed. …" or
// "Loading model from cache[…]"; this reads the megabytes, whether the files came from the cache,
// and an ETA from the rate so far (null until there is a rate to go by).
import type { InitProgressReport } from '@mlc-ai/web-llm';

export interface LoadProgress {
  /** 0–1, WebLLM's own fraction. */
  fraction: number;
  /** Megabytes fetched or loaded so far, when the text says. */
  megabytes: number | null;
  /** The files come from the browser's cache (a later visit), not the network. */
  fromCache: boolean;
  seconds: number;
  /** Seconds left at the rate so far; null before 2 % or without elapsed time. */
  etaSeconds: number | null;
  done: boolean;
  text: string;
}

export function readProgress(r: InitProgressReport): LoadProgress {
  const mb = /(\d+(?:\.\d+)?)\s*MB (?:fetched|loaded)/.exec(r.text);
  const fraction = Math.min(1, Math.max(0, r.progress));
  const done = fraction >= 1 || /^Finish loading/.test(r.text);
  const eta = !done && fraction >= 0.02 && r.timeElapsed > 0 ? Math.round((r.timeElapsed * (1 - fraction)) / fraction) : null;
  return { fraction, megabytes: mb ? Number(mb[1]) : null, fromCache: /from cache/i.test(r.text), seconds: r.timeElapsed, etaSeconds: eta, done, text: r.text };
}

/** "about 2 min 10 s left" / "about 40 s left" / "" (no estimate yet). */
export function formatEta(p: LoadProgress): string {
  if (p.etaSeconds === null) return '';
  const s = p.etaSeconds;
  return s >= 60 ? `about ${Math.floor(s / 60)} min ${s % 60} s left` : `about ${s} s left`;
}
