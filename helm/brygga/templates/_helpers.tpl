{{/* The resource name prefix: release-chart, at most 63 characters. */}}
{{- define "brygga.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (default .Chart.Name .Values.nameOverride) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (default .Chart.Name .Values.nameOverride) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "brygga.selectorLabels" -}}
app.kubernetes.io/name: {{ default .Chart.Name .Values.nameOverride }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "brygga.labels" -}}
{{ include "brygga.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "brygga.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "brygga.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "brygga.secretName" -}}
{{- default (printf "%s-secrets" (include "brygga.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{- define "brygga.certificateSecretName" -}}
{{- default (printf "%s-bankid-certificate" (include "brygga.fullname" .)) .Values.bankid.certificate.existingSecret -}}
{{- end -}}

{{- define "brygga.caConfigMapName" -}}
{{- default (printf "%s-bankid-ca" (include "brygga.fullname" .)) .Values.bankid.caConfigMap -}}
{{- end -}}

{{/* The settings the chart derives, for the Deployment and the migration Job. Secrets are files (NAME_FILE). */}}
{{- define "brygga.env" -}}
- name: NODE_ENV
  value: production
- name: ISSUER
  value: {{ required "issuer is required" .Values.issuer | quote }}
- name: PORT
  value: {{ .Values.containerPort | quote }}
- name: METRICS_PORT
  value: {{ .Values.metrics.port | quote }}
- name: SHUTDOWN_GRACE_MS
  value: {{ .Values.shutdown.graceMs | quote }}
- name: TRUST_PROXY
  value: {{ .Values.proxy.trusted | quote }}
- name: PROXY_HOPS
  value: {{ .Values.proxy.hops | quote }}
- name: BANKID_ENV
  value: {{ .Values.bankid.environment | quote }}
{{- if .Values.bankid.apiUrl }}
- name: BANKID_API_URL
  value: {{ .Values.bankid.apiUrl | quote }}
{{- end }}
- name: BANKID_CA_FILE
  value: /var/run/brygga/bankid-ca/ca.pem
- name: BANKID_USER_ROOT_CA_FILE
  value: /var/run/brygga/bankid-ca/user-root-ca.pem
- name: BANKID_CERT_FILE
  value: /var/run/brygga/bankid/rp.p12
- name: BANKID_CERT_PASSPHRASE_FILE
  value: /var/run/brygga/bankid/passphrase
{{- range .Values.secrets.keys }}
- name: {{ . }}_FILE
  value: /var/run/brygga/secrets/{{ . }}
{{- end }}
{{- end -}}

{{/* Annotations that make a resource exist before the migration hook runs (and be replaced on each upgrade). */}}
{{- define "brygga.preHook" -}}
helm.sh/hook: pre-install,pre-upgrade
helm.sh/hook-weight: "-10"
helm.sh/hook-delete-policy: before-hook-creation
{{- end -}}

{{/* The mounted secrets: directories, not subPath, so a rotated certificate reaches the running pods. */}}
{{- define "brygga.volumeMounts" -}}
- name: secrets
  mountPath: /var/run/brygga/secrets
  readOnly: true
- name: bankid-certificate
  mountPath: /var/run/brygga/bankid
  readOnly: true
- name: bankid-ca
  mountPath: /var/run/brygga/bankid-ca
  readOnly: true
- name: tmp
  mountPath: /tmp
{{- end -}}

{{- define "brygga.volumes" -}}
- name: secrets
  secret:
    secretName: {{ include "brygga.secretName" . }}
- name: bankid-certificate
  secret:
    secretName: {{ include "brygga.certificateSecretName" . }}
- name: bankid-ca
  configMap:
    name: {{ include "brygga.caConfigMapName" . }}
- name: tmp
  emptyDir:
    sizeLimit: 16Mi
{{- end -}}
