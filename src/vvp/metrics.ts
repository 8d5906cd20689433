import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Request metrics of the VVP client; `route` is the templated path, so cardinality stays low. */
export interface VvpApiMetrics {
  requests: Counter<'method' | 'route' | 'code'>;
  duration: Histogram<'method' | 'route'>;
  /** Time each request spent waiting for the global rate limiter (slot and token). */
  rateLimitWait: Histogram;
  rateLimitWaiting: Gauge;
}

// Several clients may share the manager's registry; each metric may be registered only once.
const metricsByRegistry = new WeakMap<Registry, VvpApiMetrics>();

export function vvpApiMetrics(registry: Registry): VvpApiMetrics {
  let metrics = metricsByRegistry.get(registry);
  if (metrics === undefined) {
    metrics = {
      requests: new Counter({
        name: 'vvp_api_requests_total',
        help: 'HTTP requests sent to the VVP REST APIs (every attempt), by method, route and status code (or network_error/timeout).',
        labelNames: ['method', 'route', 'code'],
        registers: [registry],
      }),
      duration: new Histogram({
        name: 'vvp_api_request_duration_seconds',
        help: 'Duration of single HTTP requests to the VVP REST APIs, by method and route.',
        labelNames: ['method', 'route'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [registry],
      }),
      rateLimitWait: new Histogram({
        name: 'vvp_api_rate_limit_wait_seconds',
        help: 'Time VVP requests (every attempt) waited for the global rate limiter (--vvp-requests-per-second, --vvp-burst, --vvp-max-in-flight) before being sent.',
        buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [registry],
      }),
      rateLimitWaiting: new Gauge({
        name: 'vvp_api_rate_limit_waiting_requests',
        help: 'VVP requests currently waiting for the global rate limiter.',
        registers: [registry],
      }),
    };
    metricsByRegistry.set(registry, metrics);
  }
  return metrics;
}
