// Downloads made in the page: bytes or text become a Blob URL the visitor saves; the URLs are
// revoked when replaced, so repeated exports do not leak memory.
export interface DownloadLink {
  name: string;
  url: string;
  bytes: number;
}

export function blobLink(name: string, data: BlobPart, type: string): DownloadLink {
  const blob = new Blob([data], { type });
  return { name, url: URL.createObjectURL(blob), bytes: blob.size };
}

export function revoke(links: readonly DownloadLink[]): void {
  for (const l of links) URL.revokeObjectURL(l.url);
}

/** Start the download of a link right away (the link also stays on the page). */
export function clickDownload(link: DownloadLink): void {
  const a = document.createElement('a');
  a.href = link.url;
  a.download = link.name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(2)} MB`;
}
