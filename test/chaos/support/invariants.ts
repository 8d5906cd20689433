// What must hold after any resilience scenario, read from both sides: the CRs in Kubernetes
// and the objects in VVP (through the simulator's VVP API, as any VVP client sees them). Each
// check returns the problems it found, as sentences naming the object, so a failing scenario
// says what was lost, duplicated or left behind.
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from '@jest/globals';
import type { EventsV1Event } from '@kubernetes/client-node';
import { OWNER_LABELS } from '../../../src/api';
import { diffManaged } from '../../../src/reconcilers/managed/diff';
import { mirroredEventName } from '../../../src/reconcilers/event-mirror';
import { conditionOf } from '../../support/custom-resources';
import { field } from '../../support/simulator';
import { PLURALS, type ChaosObject, type Kube, type VvpCall } from './resources';

export interface VvpDeployment {
  metadata: { id: string; name: string; namespace: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
  status?: { state?: string };
}

export interface VvpSavepoint {
  metadata: { id: string; deploymentId?: string; origin?: string };
  status?: { state?: string };
}

export interface VvpEvent {
  metadata: { id: string; name?: string; deploymentId?: string };
}

/** Both sides at one moment: the CRs of the scenario's namespaces and VVP's objects. */
export interface World {
  targets: ChaosObject[];
  deployments: ChaosObject[];
  savepoints: ChaosObject[];
  /** Every deployment in the scenario's VVP namespaces. */
  vvpDeployments: VvpDeployment[];
  /** Every savepoint in the scenario's VVP namespaces. */
  vvpSavepoints: VvpSavepoint[];
  /** The Kubernetes Events of the scenario's namespaces. */
  kubeEvents: EventsV1Event[];
  vvp: VvpCall;
}

const VVP_READ_ATTEMPTS = 20;

export interface WorldScope {
  kube: Kube;
  vvp: VvpCall;
  /** The Kubernetes namespaces holding the scenario's CRs. */
  namespaces: readonly string[];
  /** The VVP namespaces the CRs point at. */
  vvpNamespaces: readonly string[];
}

/** Reads a VVP list, retrying 5xx answers: the checker may run while faults are injected. */
async function vvpItems<T>(vvp: VvpCall, path: string): Promise<T[]> {
  for (let attempt = 1; ; attempt += 1) {
    const answer = await vvp('GET', path);
    if (answer.status === 200) {
      const items = field(answer.body, 'items');
      return Array.isArray(items) ? (items as T[]) : [];
    }
    if (answer.status < 500 || attempt >= VVP_READ_ATTEMPTS) {
      throw new Error(`GET ${path} answered ${answer.status}: ${answer.text}`);
    }
  }
}

export async function readWorld(scope: WorldScope): Promise<World> {
  const each = async <T>(keys: readonly string[], read: (key: string) => Promise<T[]>) =>
    (await Promise.all(keys.map(read))).flat();
  const { kube, vvp, namespaces, vvpNamespaces } = scope;
  return {
    targets: await each(namespaces, (ns) => kube.list(PLURALS.target, ns)),
    deployments: await each(namespaces, (ns) => kube.list(PLURALS.deployment, ns)),
    savepoints: await each(namespaces, (ns) => kube.list(PLURALS.savepoint, ns)),
    vvpDeployments: await each(vvpNamespaces, (ns) =>
      vvpItems<VvpDeployment>(vvp, `/api/v1/namespaces/${ns}/deployments`),
    ),
    vvpSavepoints: await each(vvpNamespaces, (ns) =>
      vvpItems<VvpSavepoint>(vvp, `/api/v1/namespaces/${ns}/savepoints`),
    ),
    kubeEvents: await each(namespaces, (ns) => kube.events(ns)),
    vvp,
  };
}

const nameOf = (object: ChaosObject): string =>
  `${object.kind ?? 'object'} ${object.metadata.namespace ?? ''}/${object.metadata.name}`;

function vvpNamespaceOf(object: ChaosObject): string {
  const namespace = field(object.spec, 'metadata', 'namespace');
  return typeof namespace === 'string' ? namespace : 'default';
}

/** Why `object` is not converged yet (empty when it is): synced for its generation, Ready, no intent. */
export function notConverged(object: ChaosObject): string[] {
  const problems: string[] = [];
  const synced = conditionOf(object, 'Synced');
  const ready = conditionOf(object, 'Ready');
  if (object.metadata.deletionTimestamp !== undefined) problems.push('is being deleted');
  if (synced?.status !== 'True' || synced.observedGeneration !== object.metadata.generation) {
    problems.push(
      `Synced=${synced?.status ?? '?'} (${synced?.reason ?? '?'}) for generation ${synced?.observedGeneration ?? '?'} of ${object.metadata.generation ?? '?'}`,
    );
  }
  if (ready?.status !== 'True')
    problems.push(`Ready=${ready?.status ?? '?'} (${ready?.reason ?? '?'})`);
  if (object.status?.pendingOperation !== undefined) problems.push('has a pending operation');
  return problems;
}

/** Every CR of the world that has not converged, with why. */
export function convergenceProblems(world: World): string[] {
  return [...world.targets, ...world.deployments, ...world.savepoints].flatMap((object) => {
    const problems = notConverged(object);
    if (object.kind === 'VpSavepoint' && object.status?.state !== 'COMPLETED') {
      problems.push(`state ${object.status?.state ?? 'none'}`);
    }
    return problems.length === 0 ? [] : [`${nameOf(object)}: ${problems.join('; ')}`];
  });
}

/**
 * Every VpDeployment's VVP deployment holds what the CR asks: found by status.id, in the
 * CR's VVP namespace, with spec.spec and the labels of spec.metadata (PATCH semantics: fields
 * the CR sets), on the target the CR names, in the desired state.
 */
export function checkVvpMatchesCrs(world: World): string[] {
  const byId = new Map(world.vvpDeployments.map((d) => [d.metadata.id, d]));
  const targetIds = new Map(
    world.targets.map((t) => [`${t.metadata.namespace ?? ''}/${t.metadata.name}`, t.status?.id]),
  );
  return world.deployments.flatMap((cr) => {
    const id = cr.status?.id;
    const inVvp = id === undefined ? undefined : byId.get(id);
    if (inVvp === undefined)
      return [`${nameOf(cr)}: no VVP deployment with status.id ${id ?? '(none)'}`];
    const problems: string[] = [];
    if (inVvp.metadata.namespace !== vvpNamespaceOf(cr)) {
      problems.push(`in VVP namespace ${inVvp.metadata.namespace}, not ${vvpNamespaceOf(cr)}`);
    }
    const desiredSpec = (cr.spec?.spec ?? {}) as Record<string, unknown>;
    problems.push(
      ...diffManaged(desiredSpec, inVvp.spec, 'spec.spec').paths.map((p) => `${p} differs`),
    );
    const labels = (field(cr.spec, 'metadata', 'labels') ?? {}) as Record<string, unknown>;
    problems.push(
      ...diffManaged(labels, inVvp.metadata.labels, 'spec.metadata.labels').paths.map(
        (p) => `${p} differs`,
      ),
    );
    if (inVvp.metadata.labels?.[OWNER_LABELS.uid] !== cr.metadata.uid)
      problems.push('not labelled with its uid');
    const targetRef = field(cr.spec, 'deploymentTargetRef', 'name');
    if (typeof targetRef === 'string') {
      const targetId = targetIds.get(`${cr.metadata.namespace ?? ''}/${targetRef}`);
      if (field(inVvp.spec, 'deploymentTargetId') !== targetId)
        problems.push(`not on target ${targetRef}`);
    }
    const desiredState = desiredSpec.state;
    if (typeof desiredState === 'string' && inVvp.status?.state !== desiredState) {
      problems.push(`VVP state ${inVvp.status?.state ?? '?'}, CR asks ${desiredState}`);
    }
    return problems.map((problem) => `${nameOf(cr)}: ${problem}`);
  });
}

/** No CR has two VVP deployments (by owner label), and no VVP name is used twice. */
export function findDuplicateDeployments(world: World): string[] {
  const counts = new Map<string, number>();
  for (const deployment of world.vvpDeployments) {
    const uid = deployment.metadata.labels?.[OWNER_LABELS.uid];
    const keys = [`name ${deployment.metadata.namespace}/${deployment.metadata.name}`];
    if (uid !== undefined) keys.push(`owner uid ${uid}`);
    for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].flatMap(([key, count]) =>
    count > 1 ? [`${count} VVP deployments with ${key}`] : [],
  );
}

/** Operator-labelled VVP deployments whose CR is gone (or is another object now). */
export function findOrphans(world: World): string[] {
  const uids = new Set(world.deployments.map((d) => d.metadata.uid));
  return world.vvpDeployments.flatMap((deployment) => {
    const uid = deployment.metadata.labels?.[OWNER_LABELS.uid];
    if (uid === undefined || uids.has(uid)) return [];
    const owner = deployment.metadata.labels?.[OWNER_LABELS.name] ?? '?';
    return [
      `VVP deployment ${deployment.metadata.namespace}/${deployment.metadata.name} of deleted VpDeployment ${owner} (uid ${uid})`,
    ];
  });
}

/** CRs still present although deleted: a finalizer that was never resolved. */
export function unresolvedFinalizers(world: World): string[] {
  return [...world.targets, ...world.deployments, ...world.savepoints]
    .filter((object) => object.metadata.deletionTimestamp !== undefined)
    .map(
      (object) =>
        `${nameOf(object)} deleted at ${object.metadata.deletionTimestamp ?? '?'} still has finalizers ${JSON.stringify(object.metadata.finalizers ?? [])}`,
    );
}

/** The VpDeployment a VpSavepoint is of: its deploymentRef, or the owner of a nonce record. */
function deploymentOfSavepoint(
  savepoint: ChaosObject,
  deployments: ChaosObject[],
): ChaosObject | undefined {
  const ref = field(savepoint.spec, 'deploymentRef', 'name');
  const owner = savepoint.metadata.ownerReferences?.find((o) => o.kind === 'VpDeployment')?.name;
  const name = typeof ref === 'string' ? ref : owner;
  return deployments.find(
    (d) => d.metadata.namespace === savepoint.metadata.namespace && d.metadata.name === name,
  );
}

/**
 * Each triggering VpSavepoint took exactly one VVP savepoint: its status.id exists in VVP and
 * is of its deployment, no two VpSavepoints share one, and a live deployment has exactly as
 * many user-requested VVP savepoints as VpSavepoints were taken of it (none lost, none repeated).
 */
export function checkSavepoints(world: World): string[] {
  const problems: string[] = [];
  const vvpById = new Map(world.vvpSavepoints.map((s) => [s.metadata.id, s]));
  const takenBy = new Map<string, string>();
  const expectedPerDeployment = new Map<string, number>();
  for (const savepoint of world.savepoints) {
    const imported = field(savepoint.spec, 'metadata', 'id') !== undefined;
    const id = savepoint.status?.id;
    const inVvp = id === undefined ? undefined : vvpById.get(id);
    if (inVvp === undefined) {
      problems.push(`${nameOf(savepoint)}: no VVP savepoint with status.id ${id ?? '(none)'}`);
      continue;
    }
    const other = takenBy.get(inVvp.metadata.id);
    if (other !== undefined)
      problems.push(`${nameOf(savepoint)} and ${other} share VVP savepoint ${inVvp.metadata.id}`);
    takenBy.set(inVvp.metadata.id, nameOf(savepoint));
    if (imported) continue;
    const deployment = deploymentOfSavepoint(savepoint, world.deployments);
    if (deployment === undefined) continue;
    if (inVvp.metadata.deploymentId !== deployment.status?.id) {
      problems.push(
        `${nameOf(savepoint)}: VVP savepoint ${inVvp.metadata.id} is of another deployment`,
      );
    }
    const key = deployment.status?.id ?? '';
    expectedPerDeployment.set(
      key,
      (expectedPerDeployment.get(key) ?? 0) + (savepoint.status?.attempts ?? 1),
    );
  }
  for (const deployment of world.deployments) {
    const id = deployment.status?.id;
    if (id === undefined) continue;
    const taken = world.vvpSavepoints.filter(
      (s) => s.metadata.deploymentId === id && s.metadata.origin === 'USER_REQUEST',
    ).length;
    const expected = expectedPerDeployment.get(id) ?? 0;
    if (taken !== expected) {
      problems.push(
        `${nameOf(deployment)}: ${taken} user-requested VVP savepoints for ${expected} VpSavepoint attempts`,
      );
    }
  }
  return problems;
}

export interface EventMirrorReport {
  /** VVP events compared (of the deployments checked). */
  checked: number;
  /** VVP events without their Kubernetes Event. */
  lost: string[];
  /** Mirrored Kubernetes Events that are no VVP event of the deployment, or one mirrored twice. */
  duplicated: string[];
}

/** Compares each live deployment's VVP events with the Kubernetes Events mirroring them. */
export async function checkMirroredEvents(world: World): Promise<EventMirrorReport> {
  const report: EventMirrorReport = { checked: 0, lost: [], duplicated: [] };
  for (const cr of world.deployments) {
    const id = cr.status?.id;
    if (id === undefined) continue;
    const vvpEvents = await vvpItems<VvpEvent>(
      world.vvp,
      `/api/v1/namespaces/${vvpNamespaceOf(cr)}/events?deploymentId=${id}`,
    );
    const expected = new Map(
      vvpEvents.map((e) => [
        mirroredEventName(
          { kind: cr.kind, metadata: { name: cr.metadata.name, uid: cr.metadata.uid } },
          e.metadata.id,
        ),
        e,
      ]),
    );
    const mirrored = world.kubeEvents.filter(
      (e) => e.action === 'VvpEvent' && e.regarding?.uid === cr.metadata.uid,
    );
    report.checked += vvpEvents.length;
    const seen = new Set<string>();
    for (const event of mirrored) {
      const name = event.metadata?.name ?? '';
      if (!expected.has(name) || seen.has(name)) {
        report.duplicated.push(
          `${nameOf(cr)}: Event ${name} (${event.reason ?? '?'}) mirrors no VVP event or one already mirrored`,
        );
      }
      seen.add(name);
    }
    for (const [name, event] of expected) {
      if (!seen.has(name)) {
        report.lost.push(
          `${nameOf(cr)}: VVP event ${event.metadata.id} (${event.metadata.name ?? '?'}) not mirrored`,
        );
      }
    }
  }
  return report;
}

export interface Verdict {
  /** CRs and VVP objects looked at. */
  objectsChecked: number;
  mismatches: string[];
  duplicates: string[];
  orphans: string[];
  unresolvedFinalizers: string[];
  savepoints: string[];
  events: EventMirrorReport;
}

/** Every invariant at once, on a world read after convergence. */
export async function checkInvariants(world: World): Promise<Verdict> {
  return {
    objectsChecked:
      world.targets.length +
      world.deployments.length +
      world.savepoints.length +
      world.vvpDeployments.length +
      world.vvpSavepoints.length,
    mismatches: checkVvpMatchesCrs(world),
    duplicates: findDuplicateDeployments(world),
    orphans: findOrphans(world),
    unresolvedFinalizers: unresolvedFinalizers(world),
    savepoints: checkSavepoints(world),
    events: await checkMirroredEvents(world),
  };
}

/** The figures a scenario prints from its verdict. */
export function verdictFigures(verdict: Verdict): Record<string, number> {
  return {
    'objects checked': verdict.objectsChecked,
    mismatches: verdict.mismatches.length,
    duplicates: verdict.duplicates.length,
    orphans: verdict.orphans.length,
    'unresolved finalizers': verdict.unresolvedFinalizers.length,
    'savepoint problems': verdict.savepoints.length,
    'events checked': verdict.events.checked,
    'events lost': verdict.events.lost.length,
    'events duplicated': verdict.events.duplicated.length,
  };
}

/**
 * Waits until every CR of the scope has converged, the deleted ones are gone and the VVP side
 * matches; then gives mirrored events until `eventsTimeoutMs` to catch up (they follow the
 * status polls). On a timeout, the error lists what had not converged.
 */
export async function waitForConvergence(
  scope: WorldScope,
  options: { timeoutMs: number; expectedDeployments?: number },
): Promise<World> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    let world: World;
    try {
      world = await readWorld(scope);
    } catch (error) {
      // A transient refusal (an API server still initialising, a VVP fault): not converged yet.
      if (Date.now() > deadline) throw error;
      await sleep(1_000);
      continue;
    }
    let problems = [
      ...convergenceProblems(world),
      ...unresolvedFinalizers(world),
      ...checkVvpMatchesCrs(world),
      ...findOrphans(world),
    ];
    if (
      options.expectedDeployments !== undefined &&
      world.deployments.length !== options.expectedDeployments
    ) {
      problems.push(
        `${world.deployments.length} VpDeployments, expected ${options.expectedDeployments}`,
      );
    }
    if (problems.length === 0) {
      const events = await checkMirroredEvents(world);
      if (events.lost.length === 0) return world;
      problems = events.lost;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `not converged after ${Math.round(options.timeoutMs / 1000)} s (${problems.length} problems):\n${problems.slice(0, 30).join('\n')}`,
      );
    }
    await sleep(1_000);
  }
}

/** Asserts that the verdict found nothing wrong, each list shown in full when it did. */
export function expectCleanVerdict(verdict: Verdict): void {
  expect(verdict.mismatches).toEqual([]);
  expect(verdict.duplicates).toEqual([]);
  expect(verdict.orphans).toEqual([]);
  expect(verdict.unresolvedFinalizers).toEqual([]);
  expect(verdict.savepoints).toEqual([]);
  expect(verdict.events.lost).toEqual([]);
  expect(verdict.events.duplicated).toEqual([]);
}
