{{/*
The rules of config/rbac, split by where they are granted. A test compares the rendered roles
with config/rbac, so the two cannot drift.
*/}}

{{/* The cluster-scoped kind: VpNamespace. */}}
{{- define "vp-operator.rules.clusterScopedKinds" -}}
- apiGroups: [vpoperator.dev]
  resources: [vpnamespaces]
  verbs: [get, list, watch, patch]
- apiGroups: [vpoperator.dev]
  resources: [vpnamespaces/status]
  verbs: [patch]
{{- end }}

{{/* The namespaced kinds; VpSavepoints are also created (a VpDeployment records its savepoints). */}}
{{- define "vp-operator.rules.namespacedKinds" -}}
- apiGroups: [vpoperator.dev]
  resources: [vpdeploymenttargets, vpdeployments, vpsavepoints]
  verbs: [get, list, watch, patch]
- apiGroups: [vpoperator.dev]
  resources: [vpsavepoints]
  verbs: [create]
- apiGroups: [vpoperator.dev]
  resources: [vpdeploymenttargets/status, vpdeployments/status, vpsavepoints/status]
  verbs: [patch]
{{- end }}

{{/* config/rbac/role.yaml: every kind, read, patched, its status patched; VpSavepoints created (a VpDeployment records its savepoints as VpSavepoints); Events about them. */}}
{{- define "vp-operator.rules.allKinds" -}}
- apiGroups: [vpoperator.dev]
  resources: [vpnamespaces, vpdeploymenttargets, vpdeployments, vpsavepoints]
  verbs: [get, list, watch, patch]
- apiGroups: [vpoperator.dev]
  resources: [vpsavepoints]
  verbs: [create]
- apiGroups: [vpoperator.dev]
  resources: [vpnamespaces/status, vpdeploymenttargets/status, vpdeployments/status, vpsavepoints/status]
  verbs: [patch]
{{ include "vp-operator.rules.events" . }}
{{- end }}

{{- define "vp-operator.rules.events" -}}
- apiGroups: [events.k8s.io]
  resources: [events]
  verbs: [create, patch]
{{- end }}

{{/* config/rbac/operator-namespace-role.yaml: the Lease and the operator's own Secrets, by name. */}}
{{- define "vp-operator.rules.operatorNamespace" -}}
- apiGroups: [coordination.k8s.io]
  resources: [leases]
  verbs: [get, create, update]
- apiGroups: ['']
  resources: [secrets]
  verbs: [get, create, update, delete]
{{- end }}

{{/* config/rbac/token-secret-reader-role.yaml: Secrets named by spec.apiTokenSecretRef. */}}
{{- define "vp-operator.rules.tokenSecretReader" -}}
- apiGroups: ['']
  resources: [secrets]
  verbs: [get]
{{- end }}

{{/* A RoleBinding or ClusterRoleBinding of the ServiceAccount; args: root, kind, name, namespace. */}}
{{- define "vp-operator.binding" -}}
{{- $root := index . 0 }}{{ $kind := index . 1 }}{{ $name := index . 2 }}{{ $namespace := index . 3 -}}
apiVersion: rbac.authorization.k8s.io/v1
kind: {{ $kind }}Binding
metadata:
  name: {{ $name }}
  {{- if $namespace }}
  namespace: {{ $namespace }}
  {{- end }}
  labels:
    {{- include "vp-operator.labels" $root | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: {{ $kind }}
  name: {{ $name }}
subjects:
  - kind: ServiceAccount
    name: {{ include "vp-operator.serviceAccountName" $root }}
    namespace: {{ $root.Release.Namespace }}
{{- end }}
