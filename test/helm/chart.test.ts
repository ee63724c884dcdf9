/**
 * helm/brygga checked without the helm binary (the chart README asks for `helm lint` and `helm template` too): the
 * values validate against the schema and bad ones are refused, every `.Values` path a template reads exists, every
 * environment variable the chart sets is one of Brygga's settings, and the templates rendered (test/helpers/helm-template.ts)
 * are YAML documents of known kinds with the fields Kubernetes requires.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { variables } from '../../src/config/variables.ts';
import { Renderer } from '../helpers/helm-template.ts';
import { validate } from '../helpers/json-schema.ts';

const CHART = fileURLToPath(new URL('../../helm/brygga/', import.meta.url));
const read = (file: string) => readFileSync(join(CHART, file), 'utf8');
const values = parse(read('values.yaml')) as Record<string, unknown>;
const schema = JSON.parse(read('values.schema.json')) as Record<string, unknown>;
const chart = parse(read('Chart.yaml')) as Record<string, string>;
const templates = readdirSync(join(CHART, 'templates')).filter((f) => f.endsWith('.yaml'));

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any; data?: Record<string, string> };

/** A deep copy of the default values with `changes` (dotted paths) applied. */
function withValues(changes: Record<string, unknown> = {}): Record<string, unknown> {
  const copy = structuredClone(values);
  for (const [path, value] of Object.entries(changes)) {
    const keys = path.split('.');
    let node = copy as Record<string, unknown>;
    for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
    node[keys.at(-1)!] = value;
  }
  return copy;
}

function render(changes: Record<string, unknown> = {}): Manifest[] {
  const renderer = new Renderer(read('templates/_helpers.tpl'));
  const root = {
    Values: withValues(changes),
    Release: { Name: 'brygga', Namespace: 'identity', Service: 'Helm' },
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion },
    Files: { Get: (path: unknown) => read(String(path)) },
  };
  return templates.flatMap((file) => parseAllDocuments(renderer.render(read(`templates/${file}`), root)).map((doc) => {
    assert.deepEqual(doc.errors, [], `${file} is not well-formed YAML`);
    return doc.toJS() as Manifest | null;
  }).filter((m): m is Manifest => m !== null));
}

const SECRET_SETTINGS = new Set<string>(variables.filter((v) => 'secret' in v && v.secret).map((v) => v.name));
const SETTINGS = new Set<string>(variables.map((v) => v.name));
const chartMade = {
  'secrets.existingSecret': '', 'secrets.values.DATABASE_URL': 'postgres://brygga:pw@db:5432/brygga',
  'secrets.values.ENCRYPTION_KEY': 'ab'.repeat(32), 'secrets.values.SUBJECT_SECRET': 's'.repeat(40),
  'bankid.certificate.existingSecret': '', 'bankid.certificate.p12Base64': 'MIIB', 'bankid.certificate.passphrase': 'pw',
  'bankid.caConfigMap': '', 'bankid.caPem': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  'bankid.userRootPem': '-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n',
};
const everything = { ...chartMade, 'metrics.serviceMonitor.enabled': true, 'metrics.prometheusRule.enabled': true, 'metrics.grafanaDashboard.enabled': true };

test('values.yaml validates against values.schema.json', () => {
  assert.deepEqual(validate(schema, values), []);
  assert.deepEqual(validate(schema, withValues(chartMade)), []);
});

test('the schema refuses bad values, each with its path', () => {
  const refused: [Record<string, unknown>, RegExp][] = [
    [{ replicaCount: 0 }, /^\$\.replicaCount: must be at least 1/],
    [{ issuer: 'http://login.example.se' }, /^\$\.issuer: must match/],
    [{ 'bankid.environment': 'simulator' }, /^\$\.bankid\.environment: must be one of/],
    [{ 'podSecurityContext.runAsNonRoot': false }, /^\$\.podSecurityContext\.runAsNonRoot: must be true/],
    [{ 'securityContext.readOnlyRootFilesystem': false }, /^\$\.securityContext\.readOnlyRootFilesystem: must be true/],
    [{ 'secrets.keys': ['DATABASE_URL', 'ENCRYPTION_KEY', 'ADMIN_BOOTSTRAP_TOKEN'] }, /^\$\.secrets\.keys: must contain \{"const":"SUBJECT_SECRET"\}/],
    [{ 'secrets.values.ENCRYPTION_KEY': 'short' }, /^\$\.secrets\.values\.ENCRYPTION_KEY: must match/],
    [{ 'config.ISSUER': 'https://elsewhere.example' }, /^\$\.config\.ISSUER \(name\): matches what it must not/],
    [{ 'config.log_level': 'info' }, /^\$\.config\.log_level \(name\): must match/],
    [{ replicas: 3 }, /^\$: replicas is not a known key/],
    [{ 'networkPolicy.databaseCidrs': ['db.internal'] }, /^\$\.networkPolicy\.databaseCidrs\[0\]: must match/],
  ];
  for (const [change, message] of refused) {
    const problems = validate(schema, withValues(change));
    assert.equal(problems.length, 1, `${JSON.stringify(change)}: ${problems.join('; ')}`);
    assert.match(problems[0]!, message);
  }
});

test('every .Values path the templates read exists in values.yaml', () => {
  const files = ['_helpers.tpl', ...templates];
  let paths = 0;
  for (const file of files) {
    for (const [, path] of read(`templates/${file}`).matchAll(/\.Values((?:\.\w+)+)/g)) {
      paths++;
      let node: unknown = values;
      for (const key of path!.slice(1).split('.')) {
        assert.ok(node && typeof node === 'object' && key in node, `${file}: .Values${path} is not in values.yaml`);
        node = (node as Record<string, unknown>)[key];
      }
    }
  }
  assert.ok(paths > 50, `only ${paths} paths found`);
});

test('every environment variable and ConfigMap key the chart sets is one of Brygga\'s settings', () => {
  const manifests = render(everything);
  const names: string[] = [];
  for (const m of manifests) {
    if (m.kind === 'ConfigMap' && m.metadata.name === 'brygga') names.push(...Object.keys(m.data ?? {}));
    const pod = m.kind === 'Deployment' || m.kind === 'Job' ? m.spec.template.spec : undefined;
    for (const container of pod?.containers ?? []) names.push(...(container.env as { name: string }[]).map((e) => e.name));
  }
  assert.ok(names.includes('TRUST_PROXY') && names.includes('PROXY_HOPS') && names.includes('SUBJECT_SECRET_FILE'), names.join());
  for (const name of names) {
    const secretFile = /^(\w+)_FILE$/.exec(name)?.[1];
    assert.ok(SETTINGS.has(name) || (secretFile !== undefined && SECRET_SETTINGS.has(secretFile)), `${name} is not a Brygga setting`);
  }
  const allowedSecrets = (schema as any).properties.secrets.properties.keys.items.enum as string[];
  for (const name of allowedSecrets) assert.ok(SECRET_SETTINGS.has(name), `${name} in the schema is not a secret setting`);
});

const REQUIRED: Record<string, (m: Manifest) => unknown[]> = {
  Deployment: (m) => [m.spec.selector.matchLabels, m.spec.template.spec.containers[0].image],
  Service: (m) => [m.spec.selector, m.spec.ports[0].port],
  Ingress: (m) => [m.spec.rules[0].host, m.spec.tls[0].secretName],
  HorizontalPodAutoscaler: (m) => [m.spec.scaleTargetRef.name, m.spec.maxReplicas],
  PodDisruptionBudget: (m) => [m.spec.selector.matchLabels, m.spec.minAvailable],
  NetworkPolicy: (m) => [m.spec.podSelector.matchLabels, m.spec.egress[0]],
  ServiceAccount: () => [true],
  ConfigMap: (m) => [m.data],
  Secret: (m) => [m.data],
  Job: (m) => [m.spec.template.spec.containers[0].command, m.spec.template.spec.restartPolicy],
  ServiceMonitor: (m) => [m.spec.selector.matchLabels, m.spec.endpoints[0].path],
  PrometheusRule: (m) => [m.spec.groups[0].rules[0].expr],
};

test('rendered with default values and with chart-made secrets: known kinds with their required fields', () => {
  for (const changes of [{}, everything]) {
    const manifests = render(changes);
    for (const m of manifests) {
      assert.ok(m.apiVersion && m.metadata?.name, JSON.stringify(m));
      assert.ok(REQUIRED[m.kind], `unknown kind ${m.kind}`);
      for (const field of REQUIRED[m.kind]!(m)) assert.ok(field !== undefined && field !== null, `${m.kind} ${m.metadata.name} lacks a required field`);
    }
    const kinds = manifests.map((m) => m.kind).sort();
    for (const kind of ['Deployment', 'Service', 'Ingress', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'NetworkPolicy', 'ServiceAccount', 'ConfigMap', 'Job']) assert.ok(kinds.includes(kind), `${kind} missing: ${kinds}`);
  }
  const all = render(everything);
  const secrets = Object.fromEntries(all.filter((m) => m.kind === 'Secret').map((m) => [m.metadata.name, m.data!]));
  assert.deepEqual(Object.keys(secrets['brygga-secrets']!).sort(), ['DATABASE_URL', 'ENCRYPTION_KEY', 'SUBJECT_SECRET']);
  assert.deepEqual(Object.keys(secrets['brygga-bankid-certificate']!).sort(), ['passphrase', 'rp.p12']);
  assert.equal(Buffer.from(secrets['brygga-secrets']!.SUBJECT_SECRET!, 'base64').toString(), 's'.repeat(40));
  assert.ok(all.some((m) => m.kind === 'ServiceMonitor') && all.some((m) => m.kind === 'PrometheusRule'));
});

test('metrics have a port of their own: scraped there, never behind the ingress, reachable from monitoring only', () => {
  const all = render(everything);
  const of = (kind: string) => all.find((m) => m.kind === kind)!;
  const container = of('Deployment').spec.template.spec.containers[0];
  assert.deepEqual(container.ports.map((p: { name: string; containerPort: number }) => [p.name, p.containerPort]), [['http', 3000], ['metrics', 9464]]);
  assert.equal(container.env.find((e: { name: string }) => e.name === 'METRICS_PORT').value, '9464');
  assert.deepEqual(of('Service').spec.ports.map((p: { name: string }) => p.name), ['http', 'metrics']);
  assert.equal(of('ServiceMonitor').spec.endpoints[0].port, 'metrics');
  assert.equal(of('Ingress').spec.rules[0].http.paths[0].backend.service.port.name, 'http');
  const rules = of('NetworkPolicy').spec.ingress as { from: { namespaceSelector: { matchLabels: Record<string, string> } }[]; ports: { port: string }[] }[];
  const reaching = (port: string) => rules.filter((r) => r.ports.some((p) => p.port === port)).flatMap((r) => r.from.map((f) => f.namespaceSelector.matchLabels));
  const values = parse(read('values.yaml')) as { networkPolicy: { ingressNamespaceLabels: Record<string, string>; monitoringNamespaceLabels: Record<string, string> } };
  assert.deepEqual(reaching('metrics'), [values.networkPolicy.monitoringNamespaceLabels]);
  assert.deepEqual(reaching('http'), [values.networkPolicy.ingressNamespaceLabels]);
});

test('the Deployment: probes, hardened pod, spread replicas, certificate mounted as a directory (hot reload)', () => {
  const manifests = render();
  const deployment = manifests.find((m) => m.kind === 'Deployment')!;
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  assert.deepEqual(deployment.spec.selector.matchLabels, { 'app.kubernetes.io/name': 'brygga', 'app.kubernetes.io/instance': 'brygga' });
  for (const [k, v] of Object.entries(deployment.spec.selector.matchLabels)) assert.equal(deployment.spec.template.metadata.labels[k], v);
  assert.equal(deployment.spec.replicas, undefined, 'the HPA owns the replica count');
  assert.equal(container.startupProbe.httpGet.path, '/healthz');
  assert.equal(container.livenessProbe.httpGet.path, '/healthz');
  assert.equal(container.readinessProbe.httpGet.path, '/readyz');
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.deepEqual(pod.securityContext.seccompProfile, { type: 'RuntimeDefault' });
  assert.equal(container.securityContext.readOnlyRootFilesystem, true);
  assert.deepEqual(container.securityContext.capabilities.drop, ['ALL']);
  assert.ok(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution);
  assert.equal(pod.topologySpreadConstraints[0].topologyKey, 'topology.kubernetes.io/zone');
  const env = Object.fromEntries((container.env as { name: string; value: string }[]).map((e) => [e.name, e.value]));
  assert.equal(env.NODE_ENV, 'production');
  assert.equal(env.TRUST_PROXY, 'true');
  assert.equal(env.PROXY_HOPS, '1');
  assert.equal(env.BANKID_CERT_FILE, '/var/run/brygga/bankid/rp.p12');
  // Out of rotation first, then SIGTERM; both within the pod's grace period.
  assert.equal(container.lifecycle.preStop.sleep.seconds, 5);
  assert.equal(env.SHUTDOWN_GRACE_MS, '20000');
  assert.ok(5 + 20 < pod.terminationGracePeriodSeconds);
  const certMount = container.volumeMounts.find((v: { name: string }) => v.name === 'bankid-certificate');
  assert.equal(certMount.mountPath, '/var/run/brygga/bankid');
  assert.equal(certMount.subPath, undefined, 'a subPath mount never sees a rotated Secret');
  assert.equal(pod.volumes.find((v: { name: string }) => v.name === 'bankid-certificate').secret.secretName, 'brygga-bankid-certificate');
  const job = manifests.find((m) => m.kind === 'Job')!;
  assert.equal(job.metadata.annotations!['helm.sh/hook'], 'pre-install,pre-upgrade');
  assert.deepEqual(job.spec.template.spec.containers[0].command, ['node', 'bin/brygga.js', 'migrate']);
  assert.equal(render({ 'proxy.trusted': false }).find((m) => m.kind === 'Deployment')!.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === 'TRUST_PROXY').value, 'false');
  assert.equal(render({ 'autoscaling.enabled': false }).find((m) => m.kind === 'Deployment')!.spec.replicas, 2);
});

/** Every metric the broker exports, by the names given in src/observability/metrics.ts (histograms with their series). */
function exportedMetrics(): Set<string> {
  const source = readFileSync(fileURLToPath(new URL('../../src/observability/metrics.ts', import.meta.url)), 'utf8');
  const names = new Set<string>();
  for (const [, kind, name] of source.matchAll(/new (Counter|Gauge|Histogram)\(\{\s*name: '(brygga_\w+)'/g)) {
    names.add(name!);
    if (kind === 'Histogram') for (const suffix of ['_bucket', '_count', '_sum']) names.add(name! + suffix);
  }
  return names;
}

test('the Grafana dashboard: valid JSON shipped as a labelled ConfigMap, each panel querying metrics the broker exports', () => {
  const exported = exportedMetrics();
  assert.ok(exported.has('brygga_orders_pending') && exported.has('brygga_bankid_call_duration_seconds_bucket'), [...exported].join());
  const dashboard = JSON.parse(read('dashboards/brygga.json')) as { panels: { title: string; targets: { expr: string }[] }[] };
  const unknown: string[] = [];
  for (const panel of dashboard.panels) {
    assert.ok(panel.targets.length > 0, `${panel.title} has no query`);
    for (const { expr } of panel.targets) {
      const used = expr.match(/\bbrygga_\w+/g) ?? [];
      assert.ok(used.length > 0, `${panel.title}: ${expr} names no metric of the broker`);
      unknown.push(...used.filter((name) => !exported.has(name)).map((name) => `${panel.title}: ${name}`));
    }
  }
  assert.deepEqual(unknown, []);
  const titles = dashboard.panels.map((p) => p.title).join(' | ');
  for (const topic of [/login funnel/i, /bankid latency/i, /errors/i, /certificate expiry/i]) assert.match(titles, topic);

  assert.equal(render().filter((m) => m.metadata.name === 'brygga-dashboard').length, 0, 'off by default');
  const configMap = render(everything).find((m) => m.metadata.name === 'brygga-dashboard')!;
  assert.equal(configMap.kind, 'ConfigMap');
  assert.equal(configMap.metadata.labels!.grafana_dashboard, '1');
  assert.deepEqual(JSON.parse(configMap.data!['brygga.json']!), dashboard);
});
