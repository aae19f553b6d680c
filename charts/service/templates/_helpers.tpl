{{/*
Chart name, or nameOverride. Truncated to 63 characters (the DNS-1123 label
limit) without a trailing "-".
*/}}
{{- define "service.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name of every resource: fullnameOverride, else the release name when it
already contains the chart name, else <release>-<chart>. Truncated to 63.
*/}}
{{- define "service.fullname" -}}
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

{{/*
Chart name and version, for the helm.sh/chart label ("+" is not allowed in
label values).
*/}}
{{- define "service.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels on every resource.
*/}}
{{- define "service.labels" -}}
helm.sh/chart: {{ include "service.chart" . }}
{{ include "service.selectorLabels" . }}
app.kubernetes.io/version: {{ regexReplaceAll "^[^A-Za-z0-9]+|[^A-Za-z0-9]+$" (.Values.image.tag | trunc 63) "" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: slipway
{{- end }}

{{/*
Selector labels: the pods a Deployment, Service, PDB or NetworkPolicy selects.
Never change these on a running release (a Deployment's selector is immutable).
*/}}
{{- define "service.selectorLabels" -}}
app.kubernetes.io/name: {{ include "service.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The ServiceAccount the pods run as.
*/}}
{{- define "service.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "service.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Name of the chart's ConfigMap.
*/}}
{{- define "service.configMapName" -}}
{{- printf "%s-config" (include "service.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The pod template (metadata and spec) of the Deployment and of the Rollout:
one definition, so both strategies run exactly the same pods. Called with
the root context.
*/}}
{{- define "service.podTemplate" -}}
metadata:
  annotations:
    # Rolls the pods when the chart's ConfigMap changes.
    checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}
    {{- with omit (.Values.podAnnotations | default dict) "checksum/config" }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  labels:
    {{- /* The chart's own labels win over podLabels, so the selector cannot be broken. */}}
    {{- $podLabels := mergeOverwrite (deepCopy (.Values.podLabels | default dict)) (include "service.labels" . | fromYaml) }}
    {{- toYaml $podLabels | nindent 4 }}
spec:
  serviceAccountName: {{ include "service.serviceAccountName" . }}
  # Kept true unless turned off: IRSA's web-identity token is a projected
  # service-account token.
  automountServiceAccountToken: {{ .Values.serviceAccount.automount }}
  securityContext:
    {{- toYaml .Values.podSecurityContext | nindent 4 }}
  containers:
    - name: {{ include "service.name" . }}
      image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      securityContext:
        {{- toYaml .Values.securityContext | nindent 8 }}
      ports:
        - name: http
          containerPort: {{ .Values.containerPort }}
          protocol: TCP
      {{- if .Values.env }}
      env:
        {{- range $name, $value := .Values.env }}
        - name: {{ $name | quote }}
          {{- if kindIs "map" $value }}
          valueFrom:
            {{- toYaml $value.valueFrom | nindent 12 }}
          {{- else }}
          value: {{ $value | toString | quote }}
          {{- end }}
        {{- end }}
      {{- end }}
      {{- if or .Values.config .Values.envFrom }}
      envFrom:
        {{- if .Values.config }}
        - configMapRef:
            name: {{ include "service.configMapName" . }}
        {{- end }}
        {{- with .Values.envFrom }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- end }}
      {{- with .Values.probes.liveness }}
      {{- if .enabled }}
      livenessProbe:
        {{- toYaml (omit . "enabled") | nindent 8 }}
      {{- end }}
      {{- end }}
      {{- with .Values.probes.readiness }}
      {{- if .enabled }}
      readinessProbe:
        {{- toYaml (omit . "enabled") | nindent 8 }}
      {{- end }}
      {{- end }}
      {{- with .Values.probes.startup }}
      {{- if .enabled }}
      startupProbe:
        {{- toYaml (omit . "enabled") | nindent 8 }}
      {{- end }}
      {{- end }}
      resources:
        {{- toYaml .Values.resources | nindent 8 }}
      volumeMounts:
        # The root filesystem is read-only; /tmp is the one writable place.
        - name: tmp
          mountPath: /tmp
  volumes:
    - name: tmp
      emptyDir:
        sizeLimit: 64Mi
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- range . }}
    {{- $constraint := deepCopy . }}
    {{- if not $constraint.labelSelector }}
    {{- $_ := set $constraint "labelSelector" (dict "matchLabels" (include "service.selectorLabels" $ | fromYaml)) }}
    {{- end }}
    - {{- toYaml $constraint | nindent 6 }}
    {{- end }}
  {{- end }}
{{- end }}

{{/*
The Service Argo Rollouts points at the canary pods (rollout.strategy canary).
The full name is cut first, so the suffix always survives the 63-character
limit and the name never collides with the main Service's.
*/}}
{{- define "service.canaryServiceName" -}}
{{- printf "%s-canary" (include "service.fullname" . | trunc 56 | trimSuffix "-") }}
{{- end }}

{{/*
The AnalysisTemplate that checks the canary (rollout.canary.analysis).
*/}}
{{- define "service.analysisTemplateName" -}}
{{- printf "%s-readiness" (include "service.fullname" .) }}
{{- end }}

{{/*
The workload the HorizontalPodAutoscaler scales: the Deployment, or the
Rollout under rollout.strategy canary, as a scaleTargetRef.
*/}}
{{- define "service.scaleTargetRef" -}}
{{- if eq .Values.rollout.strategy "canary" -}}
apiVersion: argoproj.io/v1alpha1
kind: Rollout
{{- else -}}
apiVersion: apps/v1
kind: Deployment
{{- end }}
name: {{ include "service.fullname" . }}
{{- end }}

{{/*
Labels of the canary analysis Job's pods. Without app.kubernetes.io/name, so
neither Service, the PodDisruptionBudget nor the NetworkPolicy's podSelector
takes them for the service's own pods; the NetworkPolicy lets them in.
*/}}
{{- define "service.analysisSelectorLabels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: canary-analysis
app.kubernetes.io/part-of: slipway
{{- end }}
