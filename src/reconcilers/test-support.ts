// Test helpers for the reconcilers: a CR held in memory with the core's write semantics, a
// recorded event sink, a fake token resolver, and a VVP client on the in-process simulator.
import { afterAll, afterEach, beforeAll, beforeEach, expect } from '@jest/globals';
import { Registry } from 'prom-client';
import {
  ConflictError,
  type CacheReader,
  type EventSpec,
  type ReconcileContext,
  type ReconcileResult,
  type Reconciler,
} from '../controller';
import { WrittenStatuses } from '../controller/resource';
import { applyMergePatch, createMergePatch, isJsonObject, type Json } from '../json';
import { startSimulator, type RunningSimulator, type StartOptions } from '../simulator';
import { testLogger } from '../testing/test-logger';
import type { ResolvedToken, TokenRequest, TokenResolver } from '../tokens';
import { VvpClient } from '../vvp';
import type { ManagedResource } from './managed/types';

/**
 * One CR as the API server would hold it, written through the core's ObjectWriter semantics:
 * status merge patches that skip equal status, diff a stale copy against the status this
 * process last wrote over it (as ResourceClient does), and honour a resourceVersion
 * precondition. `failStatusWrite` makes a chosen status write throw (a crash between a VVP call
 * and its status write).
 */
export class FakeObject<T extends ManagedResource> {
  object: T;
  statusWrites = 0;
  /** The next status write for which this answers true fails instead (once). */
  failStatusWrite: ((desired: Record<string, unknown>) => boolean) | undefined;
  readonly events: EventSpec[] = [];
  /** Events posted under deterministic names (mirrored VVP events), by name. */
  readonly postedOnce = new Map<string, EventSpec>();
  /** What the reconciler finds in the informer caches (other CRs); empty by default. */
  cache: CacheReader = { get: () => undefined, list: () => [] };
  #version = 1;
  readonly #written = new WrittenStatuses();

  constructor(object: T) {
    this.object = structuredClone(object);
    this.object.metadata = { ...this.object.metadata, resourceVersion: String(this.#version) };
  }

  /** Changes the object as a user would (spec, annotations): a new resourceVersion. */
  edit(change: (object: T) => void): void {
    change(this.object);
    this.#bump();
  }

  context(signal: AbortSignal = new AbortController().signal): ReconcileContext<T> {
    const unsupported = (): Promise<never> => Promise.reject(new Error('not used by reconcilers'));
    return {
      logger: testLogger,
      signal,
      now: () => new Date(),
      events: {
        event: (_object, event) => {
          this.events.push(event);
          return Promise.resolve();
        },
        postOnce: (_object, name, event) => {
          if (this.postedOnce.has(name)) return Promise.resolve('alreadyPosted');
          this.postedOnce.set(name, event);
          return Promise.resolve('posted');
        },
      },
      client: {
        patchStatus: (object, desired, options) =>
          Promise.resolve(this.#patchStatus(object, desired, options?.resourceVersion)),
        patchMetadata: unsupported,
        addFinalizer: unsupported,
        removeFinalizer: unsupported,
      },
      cache: this.cache,
      secrets: { get: unsupported, create: unsupported, update: unsupported, delete: unsupported },
    };
  }

  /** Reconciles the current object once. */
  reconcile(reconciler: Reconciler<T>, signal?: AbortSignal): Promise<ReconcileResult | undefined> {
    return reconciler.reconcile(structuredClone(this.object), this.context(signal));
  }

  finalize(reconciler: Reconciler<T>): Promise<ReconcileResult | undefined> {
    if (reconciler.finalize === undefined) throw new Error('reconciler has no finalize');
    return reconciler.finalize(structuredClone(this.object), this.context());
  }

  reasons(): string[] {
    return this.events.map((event) => event.reason);
  }

  condition(type: string): { status: string; reason: string; message: string } | undefined {
    return this.object.status?.conditions?.find((condition) => condition.type === type);
  }

  #patchStatus(
    object: T,
    desired: Record<string, unknown>,
    resourceVersion: string | undefined,
  ): T {
    const patch = createMergePatch(this.#written.baseFor(object), desired);
    if (patch === undefined) return object;
    if (
      resourceVersion !== undefined &&
      resourceVersion !== this.object.metadata?.resourceVersion
    ) {
      throw new ConflictError(`resourceVersion ${resourceVersion} is stale`);
    }
    if (this.failStatusWrite?.(desired) === true) {
      this.failStatusWrite = undefined;
      throw new Error('the operator crashed before this status write');
    }
    const current = (this.object.status ?? {}) as Json;
    const next = applyMergePatch(current, patch);
    this.object.status = isJsonObject(next) ? next : {};
    this.statusWrites += 1;
    this.#bump();
    const written = structuredClone(this.object);
    this.#written.remember(object, written);
    return written;
  }

  #bump(): void {
    this.#version += 1;
    this.object.metadata = { ...this.object.metadata, resourceVersion: String(this.#version) };
  }
}

/** A token resolver that answers anonymous and records what was asked of it. */
export class FakeTokens implements TokenResolver {
  readonly resolved: TokenRequest[] = [];
  readonly invalidated: TokenRequest[] = [];
  readonly released: string[] = [];
  source = 'environment variable APPMANAGER_API_TOKEN';

  resolve(request: TokenRequest): Promise<ResolvedToken> {
    this.resolved.push(request);
    return Promise.resolve({ token: undefined, source: this.source });
  }

  invalidate(request: TokenRequest): Promise<void> {
    this.invalidated.push(request);
    return Promise.resolve();
  }

  releaseOwnerToken(vvpNamespace: string): Promise<void> {
    this.released.push(vvpNamespace);
    return Promise.resolve();
  }
}

/** The simulator in-process, and the operator's VVP client pointed at it (no retries). */
export async function startVvp(options: StartOptions = {}): Promise<{
  simulator: RunningSimulator;
  vvp: VvpClient;
  /** VVP writes (anything but GET) since the last call; clears the request log. */
  takeWrites: () => string[];
}> {
  const simulator = await startSimulator({
    logger: testLogger,
    seed: 7,
    ...options,
    knobs: { transitionMs: 0, namespaceTerminationMs: 0, ...options.knobs },
  });
  const vvp = new VvpClient({
    appManagerApiUrl: `${simulator.url}/api`,
    platformApiUrl: simulator.url,
    tokens: { tokenFor: () => Promise.resolve(undefined) },
    logger: testLogger,
    registry: new Registry(),
    retry: { maxAttempts: 1 },
  });
  const takeWrites = (): string[] => {
    const writes = simulator.admin
      .requests()
      .entries.filter((entry) => entry.method !== 'GET')
      .map((entry) => `${entry.method} ${entry.url}`);
    simulator.admin.clearRequests();
    return writes;
  };
  return { simulator, vvp, takeWrites };
}

/** The simulated VVP of a test file; the members are set once `beforeAll` ran. */
export interface SimulatedVvp {
  simulator: RunningSimulator;
  vvp: VvpClient;
  /** VVP writes (anything but GET) since the last call; clears the request log. */
  takeWrites(): string[];
}

/**
 * Registers the hooks of a test file on the simulated VVP: started once, reset to a fresh
 * installation (instant transitions) before each test, checked for contract violations after
 * each, closed at the end.
 */
export function useSimulatedVvp(options: StartOptions = {}): SimulatedVvp {
  const started: Partial<Awaited<ReturnType<typeof startVvp>>> = {};
  const get = <K extends keyof typeof started>(key: K): NonNullable<(typeof started)[K]> => {
    const value = started[key];
    if (value === undefined) throw new Error('the simulated VVP is used before beforeAll ran');
    return value;
  };
  beforeAll(async () => {
    Object.assign(started, await startVvp(options));
  });
  afterAll(async () => {
    await started.simulator?.close();
  });
  beforeEach(() => {
    get('simulator').admin.reset();
    get('simulator').admin.setKnobs({ transitionMs: 0, namespaceTerminationMs: 0 });
  });
  afterEach(() => {
    expect(get('simulator').admin.violations().response).toBe(0);
  });
  return {
    get simulator() {
      return get('simulator');
    },
    get vvp() {
      return get('vvp');
    },
    takeWrites: () => get('takeWrites')(),
  };
}
