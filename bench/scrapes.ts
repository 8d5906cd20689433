// Reading the two metrics endpoints the benchmark explains its figures with: the manager's
// /metrics (reconciles, work queue, VVP client) and the API server's (requests by verb and
// resource, as an audit log would count them, for every client together).
import { request } from 'node:https';
import type { RequestOptions } from 'node:https';
import { adminKubeConfig, testCluster } from '../test/support/cluster';
import { Scrape } from './prometheus';

export async function scrapeManager(port: number): Promise<Scrape> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (!response.ok) throw new Error(`the manager's /metrics answered ${response.status}`);
  return new Scrape(await response.text());
}

/** The API server's /metrics, read as the cluster administrator. */
export async function scrapeApiServer(): Promise<Scrape> {
  const url = new URL('/metrics', testCluster().server);
  const options: RequestOptions = { method: 'GET' };
  await adminKubeConfig().applyToHTTPSOptions(options);
  const text = await new Promise<string>((resolve, reject) => {
    const call = request(url, options, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (response.statusCode === 200) resolve(body);
        else reject(new Error(`the API server's /metrics answered ${response.statusCode ?? '?'}`));
      });
      response.on('error', reject);
    });
    call.on('error', reject);
    call.end();
  });
  return new Scrape(text);
}

/** The API server's request verbs that change something. */
export const WRITE_VERBS = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'APPLY', 'DELETECOLLECTION']);
/** Verbs of long-running requests: counted when they end, so not comparable in a window. */
const LONG_RUNNING_VERBS = new Set(['WATCH', 'CONNECT']);

/** `VERB resource[/subresource]` → requests, for resource requests (not /metrics, /healthz). */
export function apiRequestsByKind(scrape: Scrape): Map<string, number> {
  return sumByKind(scrape, 'apiserver_request_total');
}

/** Server-side seconds spent on requests, by `VERB resource[/subresource]`. */
export function apiSecondsByKind(scrape: Scrape): Map<string, number> {
  return sumByKind(scrape, 'apiserver_request_duration_seconds_sum');
}

function sumByKind(scrape: Scrape, metric: string): Map<string, number> {
  const totals = new Map<string, number>();
  for (const sample of scrape.samples(metric)) {
    const { verb = '', resource = '', subresource = '' } = sample.labels;
    if (resource === '' || LONG_RUNNING_VERBS.has(verb)) continue;
    const key = `${verb} ${resource}${subresource === '' ? '' : `/${subresource}`}`;
    totals.set(key, (totals.get(key) ?? 0) + sample.value);
  }
  return totals;
}
