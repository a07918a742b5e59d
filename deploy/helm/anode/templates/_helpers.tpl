{{/* Objects are named after the release: `helm install anode deploy/helm/anode` gives "anode". */}}
{{- define "anode.fullname" -}}
{{ .Release.Name }}
{{- end -}}

{{/* The labels every anode object carries and the pods are selected by. */}}
{{- define "anode.selectorLabels" -}}
app.kubernetes.io/name: anode
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
