import type { Condition } from '../controller/conditions';
import type { ResourceDescriptor } from '../controller/resource';
import type { KubeObject } from '../controller/kube-object';

/**
 * Widget, the custom resource the controller core's tests reconcile: a kind of no domain at
 * all, so the core is tested apart from any reconciler (CRD: test/fixtures/widget-crd.yaml).
 */
export const WIDGET: ResourceDescriptor = {
  group: 'test.vpoperator.dev',
  version: 'v1',
  plural: 'widgets',
  kind: 'Widget',
  namespaced: true,
};

export const WIDGET_FINALIZER = 'test.vpoperator.dev/cleanup';

export interface Widget extends KubeObject {
  spec?: { size?: number; failUntil?: number };
  status?: {
    observedGeneration?: number;
    conditions?: Condition[];
    attempts?: number;
  };
}
