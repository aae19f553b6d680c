{{/*
Chart name, or nameOverride. Truncated to 63 characters (the DNS-1123 label
limit) without a trailing "-".
*/}}
{{- define "backstage.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name of every resource: fullnameOverride, else the release name when it
already contains the chart name, else <release>-<chart>. Truncated to 63.
*/}}
{{- define "backstage.fullname" -}}
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
{{- define "backstage.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels on every resource.
*/}}
{{- define "backstage.labels" -}}
helm.sh/chart: {{ include "backstage.chart" . }}
{{ include "backstage.selectorLabels" . }}
app.kubernetes.io/version: {{ regexReplaceAll "^[^A-Za-z0-9]+|[^A-Za-z0-9]+$" (toString .Values.image.tag | trunc 63) "" | quote }}
app.kubernetes.io/component: portal
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: slipway
{{- end }}

{{/*
Selector labels: the pods a Deployment, Service, PDB or NetworkPolicy selects.
Never change these on a running release (a Deployment's selector is immutable).
*/}}
{{- define "backstage.selectorLabels" -}}
app.kubernetes.io/name: {{ include "backstage.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The ServiceAccount the pods run as.
*/}}
{{- define "backstage.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "backstage.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false: the existing ServiceAccount that carries the portal's eks.amazonaws.com/role-arn annotation" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Name of the chart's ConfigMap.
*/}}
{{- define "backstage.configMapName" -}}
{{- printf "%s-config" (include "backstage.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Data of the chart's ConfigMap, as YAML; empty when there is nothing to store
(no ConfigMap is rendered then). configmap.yaml renders it and the
checksum/config pod annotation hashes it, so a change rolls the pods.
*/}}
{{- define "backstage.configMapData" -}}
{{- $data := dict }}
{{- with .Values.appConfig.production }}
{{- $_ := set $data "app-config.production.yaml" . }}
{{- end }}
{{- with .Values.extraCaCerts.pem }}
{{- $_ := set $data "extra-ca-certificates.pem" . }}
{{- end }}
{{- if $data }}
{{- toYaml $data }}
{{- end }}
{{- end }}

{{/*
Where NODE_EXTRA_CA_CERTS points when extraCaCerts is set.
*/}}
{{- define "backstage.extraCaCertsPath" -}}
/etc/slipway/extra-ca/ca-certificates.pem
{{- end }}

{{/*
Secret names whose literal values never belong in the values (env, extraEnv),
separated by spaces. Kept in step with values.schema.json.
*/}}
{{- define "backstage.secretEnvNames" -}}
POSTGRES_PASSWORD REDIS_URL GITHUB_TOKEN AUTH_GITHUB_CLIENT_SECRET GITHUB_WEBHOOK_SECRET ARGOCD_TOKEN JENKINS_API_TOKEN
{{- end }}

{{/*
resources.limits.memory in MiB (rounded down). Accepts a whole number with an
optional unit (Ki, Mi, Gi, Ti, k, M, G, T; no unit: bytes); the schema keeps
the limit in that form.
*/}}
{{- define "backstage.memoryLimitMi" -}}
{{- $q := toString .Values.resources.limits.memory }}
{{- if not (regexMatch "^[0-9]+(Ki|Mi|Gi|Ti|k|M|G|T)?$" $q) }}
{{- fail (printf "resources.limits.memory (%s) must be a whole number with an optional unit (2Gi, 2048Mi) for the chart to derive --max-old-space-size; or set node.maxOldSpaceSize" $q) }}
{{- end }}
{{- $n := regexFind "^[0-9]+" $q | int64 }}
{{- $unit := trimPrefix (regexFind "^[0-9]+" $q) $q }}
{{- if eq $unit "Ki" }}{{ div $n 1024 }}
{{- else if eq $unit "Mi" }}{{ $n }}
{{- else if eq $unit "Gi" }}{{ mul $n 1024 }}
{{- else if eq $unit "Ti" }}{{ mul $n 1048576 }}
{{- else if eq $unit "k" }}{{ div (mul $n 1000) 1048576 }}
{{- else if eq $unit "M" }}{{ div (mul $n 1000000) 1048576 }}
{{- else if eq $unit "G" }}{{ div (mul $n 1000000000) 1048576 }}
{{- else if eq $unit "T" }}{{ div (mul $n 1000000000000) 1048576 }}
{{- else }}{{ div $n 1048576 }}
{{- end }}
{{- end }}

{{/*
--max-old-space-size in MiB: node.maxOldSpaceSize, else
node.heapPercentOfMemoryLimit percent of resources.limits.memory.
*/}}
{{- define "backstage.maxOldSpaceSize" -}}
{{- if not (kindIs "invalid" .Values.node.maxOldSpaceSize) }}
{{- int64 .Values.node.maxOldSpaceSize }}
{{- else }}
{{- $limit := include "backstage.memoryLimitMi" . | int64 }}
{{- $heap := div (mul $limit (int64 .Values.node.heapPercentOfMemoryLimit)) 100 }}
{{- if lt $heap 256 }}
{{- fail (printf "--max-old-space-size would be %dMi (%d%% of resources.limits.memory %s): Backstage needs more; raise the limit" $heap (int64 .Values.node.heapPercentOfMemoryLimit) (toString .Values.resources.limits.memory)) }}
{{- end }}
{{- $heap }}
{{- end }}
{{- end }}

{{/*
NODE_OPTIONS: the heap ceiling, then node.extraOptions.
*/}}
{{- define "backstage.nodeOptions" -}}
{{- $opts := list (printf "--max-old-space-size=%s" (include "backstage.maxOldSpaceSize" .)) }}
{{- range .Values.node.extraOptions }}
{{- $opts = append $opts . }}
{{- end }}
{{- join " " $opts }}
{{- end }}

{{/*
Checks the values JSON Schema cannot express, and the required ones again
with a clear message (the schema refuses them first under Helm). Renders
nothing; included by deployment.yaml.
*/}}
{{- define "backstage.validate" -}}
{{- $_ := required "image.repository is required: the portal image's ECR repository, without a tag (<account>.dkr.ecr.<region>.amazonaws.com/<name>)" .Values.image.repository }}
{{- $_ = required "image.tag is required: the portal image's tag (ECR tags are immutable)" .Values.image.tag }}
{{- $_ = required "existingSecret is required: the Secret in this namespace that holds the portal's secrets (see existingSecretKeys and the chart's README)" .Values.existingSecret }}
{{- if .Values.serviceAccount.create }}
{{- $_ = required "serviceAccount.roleArn is required when serviceAccount.create is true: the IAM role the portal's AWS calls use (IRSA), arn:aws:iam::<account>:role/<name>" .Values.serviceAccount.roleArn }}
{{- else if .Values.serviceAccount.roleArn }}
{{- fail "serviceAccount.roleArn is set but serviceAccount.create is false: annotate the existing ServiceAccount instead, and leave roleArn empty" }}
{{- end }}
{{- if and .Values.extraCaCerts.pem .Values.extraCaCerts.existingConfigMap.name }}
{{- fail "extraCaCerts: set pem or existingConfigMap.name, not both" }}
{{- end }}
{{- $secretNames := include "backstage.secretEnvNames" . | splitList " " }}
{{- range $name, $value := .Values.env }}
{{- if has $name $secretNames }}
{{- fail (printf "env.%s is a secret: put it in the Secret %s, not in the values" $name $.Values.existingSecret) }}
{{- end }}
{{- end }}
{{- range (list "NODE_ENV" "NODE_OPTIONS" "NODE_EXTRA_CA_CERTS" "APP_CONFIG_backend_lifecycle_serverShutdownDelay") }}
{{- if hasKey $.Values.env . }}
{{- fail (printf "env.%s is set by the chart (see node, extraCaCerts and lifecycle in values.yaml); remove it from env" .) }}
{{- end }}
{{- end }}
{{- range .Values.extraEnv }}
{{- if and (has .name $secretNames) (hasKey . "value") }}
{{- fail (printf "extraEnv %s is a secret: read it with valueFrom.secretKeyRef, never a literal value" .name) }}
{{- end }}
{{- end }}
{{- with .Values.appConfig.production }}
{{- $parsed := fromYaml . }}
{{- if hasKey $parsed "Error" }}
{{- fail (printf "appConfig.production is not a YAML mapping: %s" (index $parsed "Error")) }}
{{- end }}
{{- end }}
{{- /* The Secret's keys, when the cluster can be read (helm install or upgrade; `helm template` and Argo CD read nothing and skip this). */}}
{{- $secret := lookup "v1" "Secret" .Release.Namespace .Values.existingSecret }}
{{- if $secret }}
{{- $data := $secret.data | default dict }}
{{- $missing := list }}
{{- range .Values.existingSecretKeys }}
{{- $inEnv := index $.Values.env . }}
{{- if not (or (hasKey $data .) (and (not (kindIs "invalid" $inEnv)) (ne (toString $inEnv) ""))) }}
{{- $missing = append $missing . }}
{{- end }}
{{- end }}
{{- if $missing }}
{{- fail (printf "Secret %s/%s lacks %s (existingSecretKeys; see the chart's README)" $.Release.Namespace $.Values.existingSecret (join ", " $missing)) }}
{{- end }}
{{- end }}
{{- end }}
