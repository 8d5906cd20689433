import { describe, expect, it } from '@jest/globals';
import type { ControllerRegistration, KubeObject } from '../controller';
import { instanceLabelSelector, registerResourceControllers } from './index';
import { FakeTokens } from './test-support';
import type { DeploymentVvp } from './vp-deployment';
import type { DeploymentTargetVvp } from './vp-deployment-target';
import type { NamespaceVvp } from './vp-namespace';
import type { SavepointVvp } from './vp-savepoint';

describe('registerResourceControllers', () => {
  it('registers both kinds with the finalizer, control annotations, instance selector and watches', () => {
    const registrations: ControllerRegistration<KubeObject>[] = [];
    const manager = {
      addController: <T extends KubeObject>(registration: ControllerRegistration<T>) => {
        registrations.push(registration);
      },
    };
    registerResourceControllers(manager, {
      vvp: {} as NamespaceVvp & DeploymentTargetVvp & DeploymentVvp & SavepointVvp,
      tokens: new FakeTokens(),
      savepointRecords: { ensure: () => Promise.resolve('created') },
      instanceId: 'prod',
      operatorNamespace: 'vp-operator',
      watchTokenSecrets: true,
    });
    expect(
      registrations.map((r) => [r.name, r.resource.kind, r.finalizer, r.labelSelector]),
    ).toEqual([
      ['vpnamespace', 'VpNamespace', 'vpoperator.dev/cleanup', 'vpoperator.dev/instance=prod'],
      [
        'vpdeploymenttarget',
        'VpDeploymentTarget',
        'vpoperator.dev/cleanup',
        'vpoperator.dev/instance=prod',
      ],
      ['vpdeployment', 'VpDeployment', 'vpoperator.dev/cleanup', 'vpoperator.dev/instance=prod'],
      ['vpsavepoint', 'VpSavepoint', 'vpoperator.dev/cleanup', 'vpoperator.dev/instance=prod'],
    ]);
    expect(registrations[0]?.reactToAnnotations).toEqual(['vpoperator.dev/']);
    expect(registrations[0]?.watches?.map((w) => [w.resource.kind, w.namespaces])).toEqual([
      ['Secret', ['vp-operator']],
    ]);
    expect(registrations[1]?.watches?.map((w) => w.resource.kind)).toEqual([
      'VpNamespace',
      'Secret',
    ]);
    expect(registrations[2]?.watches?.map((w) => w.resource.kind)).toEqual([
      'VpDeploymentTarget',
      'Secret',
    ]);
    const savepoints = registrations.find((r) => r.name === 'vpsavepoint');
    expect(savepoints?.watches?.map((w) => w.resource.kind)).toEqual(['VpDeployment', 'Secret']);
    // Nothing reconciled yet: no dependants known.
    expect(registrations[1]?.watches?.[0]?.map({ metadata: { name: 'team-a' } })).toEqual([]);
  });

  it('selects unlabelled CRs without an instance id', () => {
    expect(instanceLabelSelector(undefined)).toBe('!vpoperator.dev/instance');
  });
});
