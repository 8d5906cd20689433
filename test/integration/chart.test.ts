// The Helm chart against the real API server: lint, render, server-side dry run, schema errors,
// RBAC equal to config/rbac, a real install, and then bin/manager running with the token of the
// chart's ServiceAccount reconciling one object of each kind end to end (a VpDeployment
// RUNNING, a VpSavepoint COMPLETED) and deleting them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api } from '@kubernetes/client-node';
import { parseAllDocuments, stringify } from 'yaml';
import { OPTIONS, envVarFor } from '../../src/config/options';
import { execTool } from '../../src/testing/exec';
import { writeTokenKubeconfig } from '../../src/testing/kubeconfig';
import type { RunningSimulator } from '../../src/simulator';
import { adminKubeConfig, testCluster, uniqueNamespace } from '../support/cluster';
import { readClusterState } from '../support/cluster-state';
import {
  GROUP,
  VERSION,
  applyManifest,
  conditionOf,
  readCustomObject,
  waitForCustomObject,
  waitForCustomObjectGone,
  type CustomResource,
} from '../support/custom-resources';
import { helm, kubectl } from '../support/kube-cli';
import { killManager, loggedPort, type ManagerRun } from '../support/manager-process';
import { startOperator } from '../support/operator';
import { startQuietSimulator } from '../support/simulator';

const CHART = fileURLToPath(new URL('../../charts/vp-operator', import.meta.url));
const RBAC_DIR = fileURLToPath(new URL('../../config/rbac/', import.meta.url));
const ADMIN_TOKEN = 'chart-admin-token-0123456789abcdef';
const URL_VALUE = 'vvp.appManagerApiUrl=http://vvp-ververica-platform.vvp.svc/api';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  rules?: Rule[];
  spec?: unknown;
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace: string }[];
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}

interface Container {
  env: EnvVar[];
  envFrom?: { secretRef?: { name: string } }[];
}

let fileCount = 0;

function scratchFile(name: string, text: string): string {
  const path = join(readClusterState().scratchDir, `chart-${process.pid}-${fileCount++}-${name}`);
  writeFileSync(path, text);
  return path;
}

const admin = (): string => testCluster().adminKubeconfigPath;

/** `helm template` as the cluster administrator (so kubeVersion is checked against it). */
async function render(
  namespace: string,
  values: string[],
  extraArgs: string[] = [],
): Promise<Manifest[]> {
  const yaml = await helm(admin(), [
    'template',
    'chart',
    CHART,
    '--namespace',
    namespace,
    ...values.flatMap((value) => ['--set', value]),
    ...extraArgs,
  ]);
  return parseAllDocuments(yaml)
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
}

async function renderFailure(values: string[], extraArgs: string[] = []): Promise<string> {
  try {
    await render('chart-schema', values, extraArgs);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error(`helm template accepted ${values.join(' ')}`);
}

function find(manifests: Manifest[], kind: string, nameSuffix: string, namespace?: string) {
  const found = manifests.filter(
    (m) =>
      m.kind === kind &&
      m.metadata.name.endsWith(nameSuffix) &&
      (namespace === undefined || m.metadata.namespace === namespace),
  );
  expect(found).toHaveLength(1);
  return found[0] as Manifest;
}

function container(manifests: Manifest[]): Container {
  const deployment = find(manifests, 'Deployment', 'vp-operator');
  const spec = deployment.spec as { template: { spec: { containers: Container[] } } };
  return spec.template.spec.containers[0] as Container;
}

function configRules(file: string): Rule[] {
  const [document] = parseAllDocuments(readFileSync(join(RBAC_DIR, file), 'utf8'));
  return (document?.toJS() as Manifest).rules ?? [];
}

/** Rules as "group/resource:verb" grants, order-free. */
function grants(rules: Rule[]): string[] {
  return [
    ...new Set(
      rules.flatMap((rule) =>
        rule.apiGroups.flatMap((group) =>
          rule.resources.flatMap((resource) => rule.verbs.map((v) => `${group}/${resource}:${v}`)),
        ),
      ),
    ),
  ].sort();
}

/** Minimal prometheus-operator CRDs, so ServiceMonitor and PrometheusRule pass a dry run. */
function monitoringCrd(kind: string, plural: string): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.monitoring.coreos.com` },
    spec: {
      group: 'monitoring.coreos.com',
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              },
            },
          },
        },
      ],
    },
  };
}

interface Observed extends CustomResource {
  status?: CustomResource['status'] & { state?: string };
}

/** An object of the end-to-end run: its kind's plural, its controller, the state it reaches. */
interface ChartObject {
  plural: string;
  controller: string;
  manifest: {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels: Record<string, string> };
    spec: Record<string, unknown>;
  };
  /** The status.state that, with Ready=True, means done; none for kinds without a state. */
  state?: string;
}

/**
 * One object of each kind, for the operator instance `labels` name: a VVP namespace, a target in
 * it, a running deployment on the target (deleted with SavepointThenDelete, which records a
 * VpSavepoint) and a savepoint of that deployment, the namespaced ones in `namespace`.
 */
function chartObjects(
  vvpNamespace: string,
  namespace: string,
  labels: Record<string, string>,
): ChartObject[] {
  const apiVersion = `${GROUP}/${VERSION}`;
  const metadata = (name: string) => ({ name, namespace, labels });
  return [
    {
      plural: 'vpnamespaces',
      controller: 'vpnamespace',
      manifest: {
        apiVersion,
        kind: 'VpNamespace',
        metadata: { name: vvpNamespace, labels },
        spec: { roleBindings: [{ role: 'owner', members: ['user:admin'] }] },
      },
    },
    {
      plural: 'vpdeploymenttargets',
      controller: 'vpdeploymenttarget',
      manifest: {
        apiVersion,
        kind: 'VpDeploymentTarget',
        metadata: metadata('chart-target'),
        spec: {
          metadata: { namespace: vvpNamespace },
          spec: { kubernetes: { namespace: 'flink-jobs' } },
        },
      },
    },
    {
      plural: 'vpdeployments',
      controller: 'vpdeployment',
      state: 'RUNNING',
      manifest: {
        apiVersion,
        kind: 'VpDeployment',
        metadata: metadata('chart-job'),
        spec: {
          deletionPolicy: 'SavepointThenDelete',
          deploymentTargetRef: { name: 'chart-target' },
          metadata: { namespace: vvpNamespace },
          spec: {
            state: 'RUNNING',
            template: {
              spec: { artifact: { kind: 'JAR', jarUri: 's3://jobs/chart.jar' }, parallelism: 1 },
            },
          },
        },
      },
    },
    {
      plural: 'vpsavepoints',
      controller: 'vpsavepoint',
      state: 'COMPLETED',
      manifest: {
        apiVersion,
        kind: 'VpSavepoint',
        metadata: metadata('chart-savepoint'),
        spec: { deploymentRef: { name: 'chart-job' }, metadata: { namespace: vvpNamespace } },
      },
    },
  ];
}

/** VmRSS and VmHWM (peak) of a process, in MiB. */
function residentMemory(pid: number | undefined): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  const mib = (field: string) =>
    Math.round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]) / 1024);
  return { rss: mib('VmRSS'), peak: mib('VmHWM') };
}

describe('the Helm chart', () => {
  it('passes helm lint --strict', async () => {
    const output = await helm(admin(), ['lint', '--strict', CHART, '--set', URL_VALUE]);
    expect(output).toContain('0 chart(s) failed');
    expect(output).not.toMatch(/\[(WARNING|ERROR)\]/);
  });

  it('renders every option, switched on, and the API server accepts it (dry run)', async () => {
    const [release, watchedA, watchedB] = await Promise.all([
      uniqueNamespace('chart-dry-run'),
      uniqueNamespace('chart-watched'),
      uniqueNamespace('chart-watched'),
    ]);
    const monitoring = scratchFile(
      'monitoring-crds.json',
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          monitoringCrd('ServiceMonitor', 'servicemonitors'),
          monitoringCrd('PrometheusRule', 'prometheusrules'),
        ],
      }),
    );
    await kubectl(admin(), ['apply', '--server-side', '-f', monitoring]);
    await kubectl(admin(), ['wait', '--for=condition=Established', '-f', monitoring]);

    for (const values of [
      [URL_VALUE],
      [
        URL_VALUE,
        'replicas=2',
        `watchNamespaces={${watchedA},${watchedB}}`,
        'tokenSecretReader.enabled=true',
        'serviceMonitor.enabled=true',
        'prometheusRule.enabled=true',
        'grafanaDashboard.enabled=true',
        'vvp.appManagerTokenSecret=vvp-tokens',
      ],
    ]) {
      const manifests = await render(release, values);
      const file = scratchFile(
        'rendered.json',
        JSON.stringify({ kind: 'List', apiVersion: 'v1', items: manifests }),
      );
      const output = await kubectl(admin(), ['apply', '--dry-run=server', '-f', file]);
      expect(output.trim().split('\n')).toHaveLength(manifests.length);
    }
    const kinds = (await render(release, [URL_VALUE, 'replicas=2', 'serviceMonitor.enabled=true']))
      .map((m) => m.kind)
      .sort();
    expect(kinds).toContain('PodDisruptionBudget');
    expect(kinds).toContain('ServiceMonitor');
  });

  it("runs its pod at Pod Security Standards' restricted level", async () => {
    const namespace = await uniqueNamespace('chart-restricted');
    await kubectl(admin(), [
      'label',
      'namespace',
      namespace,
      'pod-security.kubernetes.io/enforce=restricted',
    ]);
    await kubectl(admin(), ['create', 'serviceaccount', 'chart-vp-operator', '-n', namespace]);
    const deployment = find(await render(namespace, [URL_VALUE]), 'Deployment', 'vp-operator');
    const { template } = deployment.spec as { template: { metadata: unknown; spec: unknown } };
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { ...(template.metadata as object), name: 'chart-pod', namespace },
      spec: template.spec,
    };
    // The admission plugin refuses a violating pod even in a dry run.
    const file = scratchFile('pod.json', JSON.stringify(pod));
    expect(await kubectl(admin(), ['apply', '--dry-run=server', '-f', file])).toContain(
      'pod/chart-pod created (server dry run)',
    );
    // And it would refuse a pod that runs as root, so the check is real.
    const root = { ...pod, spec: { ...(pod.spec as object), securityContext: { runAsUser: 0 } } };
    const rootFile = scratchFile('root-pod.json', JSON.stringify(root));
    await expect(kubectl(admin(), ['apply', '--dry-run=server', '-f', rootFile])).rejects.toThrow(
      /violates PodSecurity "restricted/,
    );
  });

  it('has alerting rules that pass promtool check rules', async () => {
    // Built from tools/promtool by global setup, never whatever promtool is on PATH.
    const { promtool } = readClusterState();
    if ('error' in promtool) throw new Error(`promtool is unavailable: ${promtool.error}`);
    const manifests = await render('ops', [URL_VALUE, 'replicas=2', 'prometheusRule.enabled=true']);
    const rule = find(manifests, 'PrometheusRule', 'vp-operator');
    const { groups } = rule.spec as { groups: { rules: { alert: string }[] }[] };
    expect(groups.flatMap((group) => group.rules.map((r) => r.alert))).toEqual([
      'VpOperatorDown',
      'VpOperatorReconcileErrors',
      'VpOperatorVvpUnavailable',
      'VpOperatorObjectsNotReady',
      'VpOperatorLeaderMissing',
    ]);
    const file = scratchFile('rules.yaml', stringify({ groups }));
    const output = await execTool(promtool.path, ['check', 'rules', file], { env: {} });
    expect(output).toContain('SUCCESS: 5 rules found');
  });

  it('grants exactly the rules of config/rbac, cluster-wide or per watched namespace', async () => {
    const all = await render('ops', [URL_VALUE, 'tokenSecretReader.enabled=true']);
    expect(find(all, 'ClusterRole', '-manager').rules).toEqual(configRules('role.yaml'));
    expect(find(all, 'Role', '-operator-namespace', 'ops').rules).toEqual(
      configRules('operator-namespace-role.yaml'),
    );
    expect(find(all, 'ClusterRole', '-token-secret-reader').rules).toEqual(
      configRules('token-secret-reader-role.yaml'),
    );
    expect(all.filter((m) => m.kind === 'Role')).toHaveLength(1);
    expect((await render('ops', [URL_VALUE])).filter((m) => m.kind === 'ClusterRole')).toHaveLength(
      1,
    );

    const scoped = await render('ops', [
      URL_VALUE,
      'watchNamespaces={team-a,team-b}',
      'tokenSecretReader.enabled=true',
    ]);
    const clusterWide = find(scoped, 'ClusterRole', '-manager').rules ?? [];
    expect(grants(clusterWide).every((grant) => grant.startsWith(`${GROUP}/vpnamespaces`))).toBe(
      true,
    );
    expect(scoped.filter((m) => m.kind === 'ClusterRole')).toHaveLength(1);
    for (const namespace of ['team-a', 'team-b']) {
      const watched = find(scoped, 'Role', '-watched', namespace).rules ?? [];
      // Together the cluster-wide and the namespaced grants are exactly config/rbac/role.yaml.
      expect(grants([...clusterWide, ...watched])).toEqual(grants(configRules('role.yaml')));
      expect(find(scoped, 'Role', '-token-secret-reader', namespace).rules).toEqual(
        configRules('token-secret-reader-role.yaml'),
      );
    }
    // Events about the cluster-scoped VpNamespaces are written to "default".
    expect(grants(find(scoped, 'Role', '-cluster-events', 'default').rules ?? [])).toEqual([
      'events.k8s.io/events:create',
      'events.k8s.io/events:patch',
    ]);
    // Every Role and ClusterRole is bound to the chart's ServiceAccount, and only to it.
    for (const binding of scoped.filter((m) => m.kind.endsWith('Binding'))) {
      expect(binding.subjects).toEqual([
        { kind: 'ServiceAccount', name: 'chart-vp-operator', namespace: 'ops' },
      ]);
    }
    expect(scoped.filter((m) => m.kind.endsWith('Binding'))).toHaveLength(
      scoped.filter((m) => m.kind === 'Role' || m.kind === 'ClusterRole').length,
    );
  });

  it('sets every manager flag from values, and tokens only by Secret reference', async () => {
    const { env, envFrom } = container(
      await render('ops', [
        URL_VALUE,
        'vvp.platformApiUrl=http://vvp-ververica-platform.vvp.svc',
        'vvp.platformApiTokenSecret=vvp-platform',
        'vvp.appManagerTokenSecret=vvp-tokens',
        'instanceId=blue',
        'manager.envFile=/config/.env',
        'manager.kubeconfig=/config/kubeconfig',
      ]),
    );
    const names = env.map((variable) => variable.name);
    for (const option of OPTIONS) expect(names).toContain(envVarFor(option.flag));
    expect(envFrom).toEqual([{ secretRef: { name: 'vvp-tokens' } }]);
    expect(names.filter((name) => /TOKEN$|TOKEN_/.test(name))).toEqual([
      'VP_OPERATOR_PLATFORM_API_TOKEN_SECRET',
    ]);

    const forced = container(await render('ops', [URL_VALUE, 'replicas=3'])).env;
    expect(forced).toContainEqual({ name: 'VP_OPERATOR_ENABLE_LEADER_ELECTION', value: 'true' });
    const single = container(await render('ops', [URL_VALUE])).env;
    expect(single).toContainEqual({ name: 'VP_OPERATOR_ENABLE_LEADER_ELECTION', value: 'false' });
  });

  it('rejects wrong values at install with a message naming the value', async () => {
    expect(await renderFailure([])).toContain('vvp.appManagerApiUrl is required');
    expect(await renderFailure([URL_VALUE, 'replicas=0'])).toMatch(/\/replicas'?: minimum/);
    expect(await renderFailure(['vvp.appManagerApiUrl=http://vvp/api/'])).toMatch(
      /\/vvp\/appManagerApiUrl'?: .* does not match pattern/,
    );
    expect(await renderFailure([URL_VALUE, 'replica=2'])).toContain(
      "additional properties 'replica' not allowed",
    );
    expect(await renderFailure([URL_VALUE, 'manager.resyncPeriod=often'])).toContain(
      '/manager/resyncPeriod',
    );
    expect(await renderFailure([URL_VALUE, 'watchNamespaces={Team_A}'])).toContain(
      '/watchNamespaces/0',
    );
    expect(await renderFailure([URL_VALUE], ['--kube-version', '1.28.0'])).toContain(
      'incompatible with Kubernetes v1.28.0',
    );
  });
});

describe.each([
  { mode: 'cluster-wide', watch: false },
  { mode: 'with watchNamespaces', watch: true },
])('the installed chart, $mode', ({ watch }) => {
  let simulator: RunningSimulator;
  let release: string;
  let other: string;
  let serviceAccountKubeconfig: string;
  let operator: ManagerRun | undefined;
  let installOutput: string;
  const releaseName = watch ? 'vpo-scoped' : 'vpo';
  const suffix = `${String(process.pid)}-${watch ? 'scoped' : 'all'}`;
  const instanceId = `chart-${suffix}`;
  const serviceAccount = `${releaseName}-vp-operator`;

  /** `kubectl auth can-i -q` as the ServiceAccount: exit code 0 is yes, 1 is no. */
  const canI = async (verb: string, resource: string, namespace?: string): Promise<string> => {
    const args = ['auth', 'can-i', '-q', verb, resource];
    const scope =
      namespace === undefined ? [] : namespace === '*' ? ['--all-namespaces'] : ['-n', namespace];
    try {
      await kubectl(serviceAccountKubeconfig, [...args, ...scope]);
      return 'yes';
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return message.includes('(exit code 1)') ? 'no' : message;
    }
  };

  beforeAll(async () => {
    simulator = await startQuietSimulator({
      auth: 'enforced',
      adminToken: ADMIN_TOKEN,
      knobs: { transitionMs: 200 },
    });
    [release, other] = await Promise.all([
      uniqueNamespace('chart-release'),
      uniqueNamespace('chart-other'),
    ]);
    await adminKubeConfig()
      .makeApiClient(CoreV1Api)
      .createNamespacedSecret({
        namespace: release,
        body: { metadata: { name: 'vvp-platform' }, stringData: { token: ADMIN_TOKEN } },
      });
    installOutput = await helm(admin(), [
      'install',
      releaseName,
      CHART,
      '--namespace',
      release,
      '--set',
      `vvp.appManagerApiUrl=${simulator.url}/api`,
      '--set',
      'vvp.platformApiTokenSecret=vvp-platform',
      '--set',
      `instanceId=${instanceId}`,
      ...(watch ? ['--set', `watchNamespaces={${other}}`] : []),
    ]);
    const token = (
      await kubectl(admin(), ['create', 'token', serviceAccount, '-n', release, '--duration=1h'])
    ).trim();
    const cluster = adminKubeConfig().getCurrentCluster();
    if (cluster === null) throw new Error('the admin kubeconfig names no cluster');
    serviceAccountKubeconfig = join(readClusterState().scratchDir, `chart-sa-${process.pid}.yaml`);
    await writeTokenKubeconfig(serviceAccountKubeconfig, cluster, serviceAccount, token);
  });

  afterAll(async () => {
    if (operator !== undefined) await killManager(operator);
    await simulator.close();
  });

  it('is installed: helm status deployed, the CRDs established', async () => {
    const status = JSON.parse(
      await helm(admin(), ['status', releaseName, '-n', release, '-o', 'json']),
    ) as {
      info: { status: string };
    };
    expect(status.info.status).toBe('deployed');
    expect(installOutput).toContain('Check that it works');
    const crds = await kubectl(admin(), ['get', 'crd', '-o', 'name']);
    for (const plural of ['vpnamespaces', 'vpdeploymenttargets', 'vpdeployments', 'vpsavepoints']) {
      expect(crds).toContain(`${plural}.${GROUP}`);
    }
  });

  it('its ServiceAccount is enough: the manager reconciles a VpNamespace, a VpDeploymentTarget, a running VpDeployment and a VpSavepoint, and deletes them', async () => {
    // The manager runs with the environment the chart's Deployment gives its container.
    const deployment = JSON.parse(
      await kubectl(admin(), ['get', 'deployment', serviceAccount, '-n', release, '-o', 'json']),
    ) as { spec: { template: { spec: { containers: Container[] } } } };
    const env: NodeJS.ProcessEnv = {};
    for (const variable of deployment.spec.template.spec.containers[0]?.env ?? []) {
      env[variable.name] =
        variable.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace' ? release : variable.value;
    }
    operator = await startOperator({
      simulatorUrl: simulator.url,
      operatorNamespace: release,
      kubeconfig: serviceAccountKubeconfig,
      env,
    });
    // Resident memory of the manager, for the chart's sizing (values.yaml resources).
    const idle = residentMemory(operator.child.pid);

    const vvpNamespace = `chart-team-${suffix}`;
    const objects = chartObjects(vvpNamespace, other, { 'vpoperator.dev/instance': instanceId });
    /** Waits until the object passes `test`; on a timeout, says what VVP and the manager saw. */
    const waitUntil = async (object: ChartObject, what: string, test: (o: Observed) => boolean) => {
      const { plural, manifest } = object;
      const target = {
        plural,
        name: manifest.metadata.name,
        namespace: manifest.metadata.namespace,
      };
      try {
        return await waitForCustomObject<Observed>(what, target, test, 60_000);
      } catch (error) {
        const current = await readCustomObject(plural, target.name, target.namespace);
        const requests = simulator.admin
          .requests()
          .entries.slice(-20)
          .map((entry) => `${entry.method} ${entry.url} ${entry.status}`);
        throw new Error(
          `${String(error)}\nstatus: ${JSON.stringify(current?.status)}\nlast VVP requests: ${requests.join(', ')}\nmanager log:\n${operator?.stdout.slice(-10).join('\n') ?? ''}`,
          { cause: error },
        );
      }
    };
    // In the order a user applies them, each once the one it depends on is Ready.
    for (const object of objects) {
      await applyManifest(object.manifest);
      const reconciled = await waitUntil(
        object,
        `Ready=True${object.state === undefined ? '' : `, ${object.state}`}`,
        (o) =>
          conditionOf(o, 'Ready')?.status === 'True' &&
          (object.state === undefined || o.status?.state === object.state),
      );
      expect(reconciled.metadata.finalizers).toEqual(['vpoperator.dev/cleanup']);
    }
    // The owner token it created through the Platform API is kept in its own namespace.
    const secrets = await kubectl(admin(), [
      'get',
      'secrets',
      '-n',
      release,
      '-l',
      'vpoperator.dev/owner-token=true',
      '-o',
      'name',
    ]);
    expect(secrets).toContain(`secret/vp-operator-${instanceId}.${vvpNamespace}`);

    // All are counted Ready in the metrics the PrometheusRule alerts on.
    const metricsPort = await loggedPort(operator, 'serving metrics at /metrics');
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    for (const { controller } of objects) {
      expect(metrics).toContain(`vp_operator_objects{controller="${controller}",ready="True"} 1`);
      expect(metrics).toContain(
        `vp_operator_object_not_ready_seconds_max{controller="${controller}"} 0`,
      );
    }
    const busy = residentMemory(operator.child.pid);
    console.log(
      `manager memory (tsx on Node 24): RSS ${idle.rss} MiB when ready, ${busy.rss} MiB after reconciling, peak ${busy.peak} MiB`,
    );

    // Clean up as a user would, in reverse order; the operator removes its finalizers. The
    // VpDeployment's SavepointThenDelete records its final savepoint as a new VpSavepoint,
    // which the chart's RBAC must allow it to create.
    for (const { plural, manifest } of [...objects].reverse()) {
      const { name, namespace } = manifest.metadata;
      await kubectl(admin(), [
        'delete',
        plural,
        name,
        ...(namespace === undefined ? [] : ['-n', namespace]),
        '--wait=false',
      ]);
      await waitForCustomObjectGone(plural, name, namespace);
      if (plural === 'vpdeployments') {
        const records = await kubectl(admin(), ['get', 'vpsavepoints', '-n', other, '-o', 'name']);
        const recorded = records.split('\n').filter((line) => line.includes(`/${name}-`));
        expect(recorded).toHaveLength(1);
        for (const record of recorded) {
          await kubectl(admin(), ['delete', record, '-n', other, '--wait=true', '--timeout=60s']);
        }
      }
    }
    // Nothing the manager did was refused by the API server (Events included).
    expect(operator.stdout.filter((line) => /forbidden/i.test(line))).toEqual([]);
  }, 300_000);

  it('its ServiceAccount cannot read Secrets outside its namespace, nor touch kinds it does not own', async () => {
    expect(await canI('get', 'secrets', release)).toBe('yes');
    expect(await canI('patch', 'vpdeploymenttargets.vpoperator.dev', other)).toBe('yes');
    // Cluster-wide, or only in the watched namespaces.
    expect(await canI('list', 'vpdeploymenttargets.vpoperator.dev', '*')).toBe(
      watch ? 'no' : 'yes',
    );
    expect(await canI('get', 'vpdeployments.vpoperator.dev', release)).toBe(watch ? 'no' : 'yes');
    for (const [verb, resource, namespace] of [
      ['get', 'secrets', other],
      ['get', 'secrets', 'default'],
      ['list', 'secrets', release],
      ['watch', 'secrets', release],
      ['create', 'vpnamespaces.vpoperator.dev', undefined],
      ['delete', 'vpdeployments.vpoperator.dev', other],
      ['update', 'vpdeploymenttargets.vpoperator.dev', other],
      ['get', 'configmaps', release],
      ['create', 'pods', release],
      ['create', 'deployments.apps', release],
      ['get', 'customresourcedefinitions.apiextensions.k8s.io', undefined],
      ['create', 'rolebindings.rbac.authorization.k8s.io', release],
      ['list', 'leases.coordination.k8s.io', release],
    ] as const) {
      expect(
        `${verb} ${resource} -n ${namespace ?? '-'}: ${await canI(verb, resource, namespace)}`,
      ).toBe(`${verb} ${resource} -n ${namespace ?? '-'}: no`);
    }
    // Not only the review: a real read of another namespace's Secret is refused.
    await adminKubeConfig()
      .makeApiClient(CoreV1Api)
      .createNamespacedSecret({
        namespace: other,
        body: { metadata: { name: 'not-yours' }, stringData: { token: 'x' } },
      });
    await expect(
      kubectl(serviceAccountKubeconfig, ['get', 'secret', 'not-yours', '-n', other]),
    ).rejects.toThrow(/Forbidden/);
  });
});
