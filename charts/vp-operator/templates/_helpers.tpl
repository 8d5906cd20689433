{{/* Chart name, at most 63 characters. */}}
{{- define "vp-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* <release>-<chart> unless the release name already contains the chart name. */}}
{{- define "vp-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Cluster-scoped objects are shared by every release in the cluster: add the namespace. */}}
{{- define "vp-operator.clusterName" -}}
{{- printf "%s-%s" .Release.Namespace (include "vp-operator.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "vp-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "vp-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "vp-operator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "vp-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: manager
app.kubernetes.io/part-of: vp-operator
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "vp-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "vp-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* "true" when leader election runs: asked for, or forced by more than one replica. */}}
{{- define "vp-operator.leaderElection" -}}
{{- if or .Values.leaderElection.enabled (gt (int .Values.replicas) 1) }}true{{ else }}false{{ end }}
{{- end }}

{{- define "vp-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The metrics Service's name; the Prometheus job label of the scraped series. */}}
{{- define "vp-operator.metricsServiceName" -}}
{{- printf "%s-metrics" (include "vp-operator.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
