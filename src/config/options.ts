import { DEFAULT_RATE_LIMIT } from '../vvp/rate-limit';

/**
 * Every manager option, once: its flag, the environment variable that can also set it,
 * its default and its help text. The README's configuration table is checked against
 * this list by a test, so the two cannot drift apart.
 */
export interface OptionSpec {
  /** Flag name without the leading dashes, e.g. `app-manager-api-url`. */
  readonly flag: string;
  readonly type: 'string' | 'boolean' | 'number';
  readonly description: string;
  /** Default shown in --help; absent when the value is required or derived. */
  readonly default?: string | boolean | number;
}

export const ENV_PREFIX = 'VP_OPERATOR';

export const OPTIONS: readonly OptionSpec[] = [
  {
    flag: 'app-manager-api-url',
    type: 'string',
    description:
      'Base URL of the VVP AppManager API, without a trailing slash (e.g. http://vvp:8080/api). Required.',
  },
  {
    flag: 'platform-api-url',
    type: 'string',
    description:
      'Base URL of the VVP Platform API (namespaces, API tokens). Defaults to the AppManager URL without its trailing /api, since VVP serves both APIs from one gateway.',
  },
  {
    flag: 'debug',
    type: 'boolean',
    default: false,
    description: 'Log at debug level; pretty-printed when standard output is a terminal.',
  },
  {
    flag: 'dry-run',
    type: 'boolean',
    default: false,
    description:
      'Observe and report, but send no write to VVP: each create, update or delete the operator would send is logged and recorded as a WouldCreate, WouldUpdate or WouldDelete Event on its object (with the fields and the request), and Synced=False reason DryRun. No owner tokens are created. For checking what would change before taking over from another operator.',
  },
  {
    flag: 'enable-leader-election',
    type: 'boolean',
    default: false,
    description:
      'Elect a leader through a coordination.k8s.io Lease so that only one replica reconciles.',
  },
  {
    flag: 'leader-election-namespace',
    type: 'string',
    description:
      "Namespace of the leader-election Lease. Defaults to the pod's own namespace when running in a cluster.",
  },
  {
    flag: 'leader-election-id',
    type: 'string',
    default: 'vp-operator',
    description: 'Name of the leader-election Lease.',
  },
  {
    flag: 'metrics-addr',
    type: 'string',
    default: ':8080',
    description: 'Address the Prometheus /metrics endpoint binds to ([host]:port); 0 disables it.',
  },
  {
    flag: 'health-probe-addr',
    type: 'string',
    default: ':8081',
    description:
      'Address the /healthz and /readyz endpoints bind to ([host]:port); 0 disables them.',
  },
  {
    flag: 'watch-namespace',
    type: 'string',
    default: '',
    description:
      'Comma-separated Kubernetes namespaces to watch for namespaced resources; empty watches all namespaces.',
  },
  {
    flag: 'env-file',
    type: 'string',
    description:
      'A .env file loaded before anything reads the environment (variables already set win). Without it, ./.env is loaded when present.',
  },
  {
    flag: 'max-concurrent-reconciles',
    type: 'number',
    default: 4,
    description: 'Objects of one kind reconciled in parallel.',
  },
  {
    flag: 'resync-period',
    type: 'string',
    default: '60s',
    description:
      'How often every object is reconciled even without changes, since VVP cannot be watched (a duration such as 30s, 5m or 1h; jittered).',
  },
  {
    flag: 'instance-id',
    type: 'string',
    description:
      'Reconcile only objects whose vpoperator.dev/instance label has this value, so one cluster can run one operator per VVP installation; without it, only objects without that label. Also names the owner tokens this operator creates. A Kubernetes label value.',
  },
  {
    flag: 'operator-namespace',
    type: 'string',
    description:
      "Namespace of the operator's own Secrets (the owner tokens it creates, the Platform API token Secret). Defaults to the pod's own namespace when running in a cluster, else --leader-election-namespace, else default.",
  },
  {
    flag: 'platform-api-token-secret',
    type: 'string',
    description:
      'Name of a Secret in the operator namespace whose key "token" holds the API token for Platform API calls (VVP namespaces, API tokens). Without it, PLATFORM_API_TOKEN is used, else Platform calls go without a token.',
  },
  {
    flag: 'vvp-requests-per-second',
    type: 'number',
    default: DEFAULT_RATE_LIMIT.requestsPerSecond,
    description:
      'Sustained rate of HTTP requests to VVP across all objects and both APIs, retries included (fractions allowed).',
  },
  {
    flag: 'vvp-burst',
    type: 'number',
    default: DEFAULT_RATE_LIMIT.burst,
    description: 'Requests to VVP that may go out at once after a quiet period.',
  },
  {
    flag: 'vvp-max-in-flight',
    type: 'number',
    default: DEFAULT_RATE_LIMIT.maxInFlight,
    description: 'Requests to VVP awaiting their answer at the same time, at most.',
  },
  {
    flag: 'vvp-request-timeout',
    type: 'string',
    default: '10s',
    description:
      'How long one HTTP request to VVP may wait for its answer before it counts as failed and is retried with backoff (a duration such as 10s or 1m).',
  },
  {
    flag: 'kubeconfig',
    type: 'string',
    description:
      'Path to a kubeconfig file. Defaults to $KUBECONFIG, then to the in-cluster service account.',
  },
];

/** `app-manager-api-url` → `VP_OPERATOR_APP_MANAGER_API_URL`. */
export function envVarFor(flag: string): string {
  return `${ENV_PREFIX}_${flag.toUpperCase().replaceAll('-', '_')}`;
}
