import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, type Config, type InformationRequest } from './load';
import { OPTIONS, envVarFor } from './options';

const URL_FLAG = '--app-manager-api-url=http://vvp:8080/api';

function emptyDir(): string {
  return mkdtempSync(join(tmpdir(), 'vp-operator-config-'));
}

async function load(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
  cwd = emptyDir(),
): Promise<Config> {
  const result = await loadConfig(argv, env, cwd);
  if ('output' in result) throw new Error('expected a configuration, got help output');
  return result;
}

async function failure(argv: string[], env: NodeJS.ProcessEnv = {}, cwd = emptyDir()) {
  const error = await loadConfig(argv, env, cwd).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message;
}

describe('loadConfig', () => {
  it('applies the documented defaults', async () => {
    const config = await load([URL_FLAG]);
    expect(config).toEqual({
      appManagerApiUrl: 'http://vvp:8080/api',
      platformApiUrl: 'http://vvp:8080',
      debug: false,
      dryRun: false,
      leaderElection: { enabled: false, namespace: undefined, id: 'vp-operator' },
      metricsAddr: ':8080',
      healthProbeAddr: ':8081',
      watchNamespaces: [],
      maxConcurrentReconciles: 4,
      resyncPeriodMs: 60_000,
      kubeconfig: undefined,
      instanceId: undefined,
      operatorNamespace: 'default',
      platformApiTokenSecret: undefined,
      vvpRateLimit: { requestsPerSecond: 50, burst: 100, maxInFlight: 16 },
      vvpRequestTimeoutMs: 10_000,
      envFile: undefined,
    });
  });

  it('reads every option from its VP_OPERATOR_ environment variable', async () => {
    const config = await load([], {
      VP_OPERATOR_APP_MANAGER_API_URL: 'https://vvp.example.com/api',
      VP_OPERATOR_PLATFORM_API_URL: 'https://platform.example.com',
      VP_OPERATOR_DEBUG: 'true',
      VP_OPERATOR_ENABLE_LEADER_ELECTION: 'true',
      VP_OPERATOR_LEADER_ELECTION_NAMESPACE: 'ops',
      VP_OPERATOR_LEADER_ELECTION_ID: 'vvp-prod',
      VP_OPERATOR_METRICS_ADDR: '127.0.0.1:9090',
      VP_OPERATOR_HEALTH_PROBE_ADDR: '0',
      VP_OPERATOR_WATCH_NAMESPACE: 'team-a, team-b',
      VP_OPERATOR_MAX_CONCURRENT_RECONCILES: '8',
      VP_OPERATOR_RESYNC_PERIOD: '1m30s',
      VP_OPERATOR_KUBECONFIG: '/etc/kube/config',
      VP_OPERATOR_INSTANCE_ID: 'vvp-Prod_2',
      VP_OPERATOR_OPERATOR_NAMESPACE: 'vp-operator',
      VP_OPERATOR_PLATFORM_API_TOKEN_SECRET: 'platform-token',
      VP_OPERATOR_VVP_REQUESTS_PER_SECOND: '2.5',
      VP_OPERATOR_VVP_BURST: '5',
      VP_OPERATOR_VVP_MAX_IN_FLIGHT: '3',
    });
    expect(config).toMatchObject({
      appManagerApiUrl: 'https://vvp.example.com/api',
      platformApiUrl: 'https://platform.example.com',
      debug: true,
      leaderElection: { enabled: true, namespace: 'ops', id: 'vvp-prod' },
      metricsAddr: '127.0.0.1:9090',
      healthProbeAddr: '0',
      watchNamespaces: ['team-a', 'team-b'],
      maxConcurrentReconciles: 8,
      resyncPeriodMs: 90_000,
      kubeconfig: '/etc/kube/config',
      instanceId: 'vvp-Prod_2',
      operatorNamespace: 'vp-operator',
      platformApiTokenSecret: 'platform-token',
      vvpRateLimit: { requestsPerSecond: 2.5, burst: 5, maxInFlight: 3 },
      vvpRequestTimeoutMs: 10_000,
    });
  });

  it('keeps its own Secrets in the leader-election namespace outside a cluster, unless told', async () => {
    expect((await load([URL_FLAG, '--leader-election-namespace=ops'])).operatorNamespace).toBe(
      'ops',
    );
    const config = await load([
      URL_FLAG,
      '--leader-election-namespace=ops',
      '--operator-namespace=vp-system',
    ]);
    expect(config.operatorNamespace).toBe('vp-system');
  });

  it('ranks flag over environment over .env file over default', async () => {
    const cwd = emptyDir();
    writeFileSync(
      join(cwd, '.env'),
      [
        'VP_OPERATOR_APP_MANAGER_API_URL=http://from-file/api',
        'VP_OPERATOR_MAX_CONCURRENT_RECONCILES=2',
        'VP_OPERATOR_RESYNC_PERIOD=2m',
        'VP_OPERATOR_METRICS_ADDR=:7070',
      ].join('\n'),
    );
    const env: NodeJS.ProcessEnv = {
      VP_OPERATOR_MAX_CONCURRENT_RECONCILES: '3',
      VP_OPERATOR_RESYNC_PERIOD: '3m',
    };
    const config = await load(['--resync-period=4m'], env, cwd);
    expect(config.resyncPeriodMs).toBe(240_000); // flag
    expect(config.maxConcurrentReconciles).toBe(3); // environment
    expect(config.metricsAddr).toBe(':7070'); // .env file
    expect(config.appManagerApiUrl).toBe('http://from-file/api'); // .env file
    expect(config.healthProbeAddr).toBe(':8081'); // default
    expect(config.envFile).toBe(join(cwd, '.env'));
  });

  it('loads a named env file into the environment without overriding variables already set', async () => {
    const dir = emptyDir();
    const file = join(dir, 'operator.env');
    writeFileSync(file, 'APPMANAGER_API_TOKEN=from-file\nAPPMANAGER_API_TOKEN_TEAM_A=team-a\n');
    const env: NodeJS.ProcessEnv = { APPMANAGER_API_TOKEN: 'from-env' };
    await load([URL_FLAG, `--env-file=${file}`], env);
    expect(env.APPMANAGER_API_TOKEN).toBe('from-env');
    expect(env.APPMANAGER_API_TOKEN_TEAM_A).toBe('team-a');
  });

  it('takes KUBECONFIG when --kubeconfig is not given', async () => {
    expect((await load([URL_FLAG], { KUBECONFIG: '/k/config' })).kubeconfig).toBe('/k/config');
    expect((await load([URL_FLAG, '--kubeconfig=/other'], { KUBECONFIG: '/k' })).kubeconfig).toBe(
      '/other',
    );
  });

  it('returns help text that documents every flag and its environment variable', async () => {
    const result = (await loadConfig(['--help'], {}, emptyDir())) as InformationRequest;
    for (const option of OPTIONS) {
      expect(result.output).toContain(`--${option.flag}`);
      expect(result.output).toContain(envVarFor(option.flag));
    }
  });

  describe('rejects bad input with one line naming the flag and what is expected', () => {
    it.each([
      [
        [`--app-manager-api-url=not-a-url`],
        /^invalid --app-manager-api-url: "not-a-url" is not a URL/,
      ],
      [['--app-manager-api-url=http://vvp/api/'], /ends with a slash.*"http:\/\/vvp\/api"/],
      [['--app-manager-api-url=ftp://vvp/api'], /must use http:\/\/ or https:\/\//],
      [[URL_FLAG, '--platform-api-url=vvp'], /^invalid --platform-api-url/],
      [[URL_FLAG, '--metrics-addr=8080'], /invalid --metrics-addr: "8080" is not a listen address/],
      [[URL_FLAG, '--resync-period=10'], /invalid --resync-period: "10" is not a duration/],
      [[URL_FLAG, '--resync-period=500ms'], /shorter than the minimum of 1s/],
      [[URL_FLAG, '--max-concurrent-reconciles=0'], /invalid --max-concurrent-reconciles/],
      [[URL_FLAG, '--watch-namespace=Team_A'], /"Team_A" is not a Kubernetes namespace name/],
      [
        [URL_FLAG, '--instance-id=-prod'],
        /invalid --instance-id: "-prod" is not a Kubernetes label value/,
      ],
      [[URL_FLAG, `--instance-id=${'a'.repeat(64)}`], /is not a Kubernetes label value/],
      [[URL_FLAG, '--operator-namespace=Ops'], /"Ops" is not a Kubernetes namespace name/],
      [[URL_FLAG, '--platform-api-token-secret=A_B'], /"A_B" is not a valid Secret name/],
      [
        [URL_FLAG, '--vvp-requests-per-second=0'],
        /invalid --vvp-requests-per-second: "0" is not a number above 0/,
      ],
      [[URL_FLAG, '--vvp-burst=1.5'], /invalid --vvp-burst: "1.5" is not a whole number/],
      [[URL_FLAG, '--vvp-max-in-flight=0'], /invalid --vvp-max-in-flight/],
      [[URL_FLAG, '--no-such-flag'], /^unknown flag --no-such-flag; run with --help/],
      [[URL_FLAG, 'stray'], /unexpected argument "stray"/],
      [[URL_FLAG, '--kubeconfig'], /--kubeconfig needs a value/],
      [[URL_FLAG, '--enable-leader-election'], /--leader-election-namespace .* is required/],
      [[], /--app-manager-api-url is required \(or VP_OPERATOR_APP_MANAGER_API_URL\)/],
    ])('%j', async (argv, expected) => {
      const message = await failure(argv);
      expect(message).toMatch(expected);
      expect(message).not.toContain('\n');
    });

    it('names the environment variable when the bad value came from the environment', async () => {
      const message = await failure([], { VP_OPERATOR_APP_MANAGER_API_URL: 'nope' });
      expect(message).toMatch(
        /^invalid VP_OPERATOR_APP_MANAGER_API_URL \(sets --app-manager-api-url\): "nope"/,
      );
    });

    it('names the .env file when the bad value came from it', async () => {
      const cwd = emptyDir();
      writeFileSync(join(cwd, '.env'), 'VP_OPERATOR_DEBUG=maybe\n');
      const message = await failure([URL_FLAG], {}, cwd);
      expect(message).toBe(
        `invalid VP_OPERATOR_DEBUG in ${join(cwd, '.env')} (sets --debug): "maybe" is not a boolean; expected true or false`,
      );
    });

    it('reports an unreadable env file', async () => {
      const message = await failure([URL_FLAG, '--env-file=/nonexistent/x.env']);
      expect(message).toMatch(/^--env-file "\/nonexistent\/x.env" cannot be read \(ENOENT\)/);
    });
  });
});
