import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { deployDir, readYamlDocuments, repoRoot } from './deploy-files';
import { formatProblem, loadTopologyText } from '../../../topology';

/*
 * Static validation: no cluster is reachable where these tests run, so the
 * manifests are parsed and cross-checked (required fields, selectors against
 * labels, probes against ports, references between objects), never applied.
 */
type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: any; data?: Record<string, string> };
type Container = {
  name: string; image: string; args?: string[];
  ports?: Array<{ name: string; containerPort: number }>;
  livenessProbe?: any; readinessProbe?: any; startupProbe?: any;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
  envFrom?: Array<{ configMapRef?: { name: string } }>;
  env?: Array<{ name: string; valueFrom?: { configMapKeyRef?: { name: string; key: string } } }>;
};

const docs = readYamlDocuments('k8s');
const objects = docs.filter((d) => d.file !== 'kustomization.yaml').map((d) => d.doc as unknown as Obj);
const find = (kind: string, name: string): Obj | undefined => objects.find((o) => o.kind === kind && o.metadata.name === name);
const workloads = objects.filter((o) => o.kind === 'StatefulSet' || o.kind === 'Deployment');
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}): boolean =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('deploy/k8s manifests', () => {
  it('every object has apiVersion, kind, metadata.name and the tributary namespace', () => {
    assert.ok(objects.length >= 8, `only ${objects.length} objects`);
    for (const o of objects) {
      assert.match(o.apiVersion, /^([a-z.]+\/)?v\d+(beta\d+)?$/, `${o.kind} apiVersion`);
      assert.ok(o.kind && o.metadata?.name, `object without kind or name: ${JSON.stringify(o).slice(0, 80)}`);
      assert.match(o.metadata.name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      if (o.kind !== 'Namespace') assert.equal(o.metadata.namespace, 'tributary', `${o.kind}/${o.metadata.name}`);
    }
  });

  it('the kustomization lists every manifest file', () => {
    const k = docs.find((d) => d.file === 'kustomization.yaml')!.doc as { resources: string[] };
    const files = fs.readdirSync(path.join(deployDir, 'k8s')).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort();
    assert.deepEqual([...k.resources].sort(), files);
  });

  it('workload selectors match their pod labels; containers have probes on declared ports and resource requests', () => {
    assert.equal(workloads.length, 2);
    for (const w of workloads) {
      const where = `${w.kind}/${w.metadata.name}`;
      const template = w.spec.template;
      assert.ok(matches(w.spec.selector.matchLabels, template.metadata.labels), `${where}: selector does not match template labels`);
      for (const c of template.spec.containers as Container[]) {
        assert.ok(c.image, `${where}/${c.name}: image`);
        const ports = new Map((c.ports ?? []).map((p) => [p.name, p.containerPort]));
        for (const kind of ['livenessProbe', 'readinessProbe'] as const) {
          const probe = c[kind];
          assert.ok(probe?.httpGet?.path, `${where}/${c.name}: ${kind}`);
          assert.ok(ports.has(probe.httpGet.port), `${where}/${c.name}: ${kind} port ${probe.httpGet.port} not declared`);
        }
        assert.ok(c.resources?.requests?.cpu && c.resources.requests.memory, `${where}/${c.name}: cpu and memory requests`);
        assert.ok(c.resources?.limits?.memory, `${where}/${c.name}: memory limit`);
        const volumes = new Set<string>([
          ...((template.spec.volumes ?? []) as Array<{ name: string }>).map((v) => v.name),
          ...((w.spec.volumeClaimTemplates ?? []) as Array<{ metadata: { name: string } }>).map((v) => v.metadata.name),
        ]);
        for (const m of c.volumeMounts ?? []) assert.ok(volumes.has(m.name), `${where}/${c.name}: mount of unknown volume ${m.name}`);
        for (const e of c.envFrom ?? []) assert.ok(find('ConfigMap', e.configMapRef!.name), `${where}: envFrom unknown ConfigMap`);
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.configMapKeyRef;
          if (ref) assert.ok(find('ConfigMap', ref.name)?.data?.[ref.key] !== undefined, `${where}: ${e.name} refers to missing ${ref.name}.${ref.key}`);
        }
      }
      for (const v of template.spec.volumes ?? []) {
        if (v.configMap) assert.ok(find('ConfigMap', v.configMap.name), `${where}: volume of unknown ConfigMap ${v.configMap.name}`);
        if (v.persistentVolumeClaim) assert.ok(find('PersistentVolumeClaim', v.persistentVolumeClaim.claimName), `${where}: unknown PVC`);
      }
    }
  });

  it('runs processors as a StatefulSet with a volume claim for state, a headless service and /healthz, /readyz probes', () => {
    const sts = find('StatefulSet', 'tributary-processor')!;
    assert.ok(sts);
    const claims = sts.spec.volumeClaimTemplates as Array<{ metadata: { name: string }; spec: { accessModes: string[]; resources: { requests: { storage: string } } } }>;
    assert.equal(claims.length, 1);
    assert.deepEqual(claims[0].spec.accessModes, ['ReadWriteOnce']);
    assert.match(claims[0].spec.resources.requests.storage, /^\d+[GM]i$/);
    const c = sts.spec.template.spec.containers[0] as Container;
    const mount = c.volumeMounts!.find((m) => m.name === claims[0].metadata.name)!;
    const stateDir = (c.env ?? []).find((e) => e.name === 'STATE_DIR') as { value?: string } | undefined;
    assert.equal(mount.mountPath, stateDir?.value, 'STATE_DIR must be on the persistent volume');
    const headless = find('Service', sts.spec.serviceName)!;
    assert.equal(headless?.spec.clusterIP, 'None', 'serviceName must name a headless Service');
    assert.equal(c.livenessProbe.httpGet.path, '/healthz');
    assert.equal(c.readinessProbe.httpGet.path, '/readyz');
    const metricsPort = c.ports!.find((p) => p.name === 'metrics')!.containerPort;
    assert.equal(c.args![c.args!.indexOf('--metrics-port') + 1], String(metricsPort));
    assert.equal(c.args![c.args!.indexOf('--metrics-host') + 1], '0.0.0.0');
    const topology = c.volumeMounts!.find((m) => m.mountPath === '/etc/tributary')!;
    assert.ok(topology && c.args!.includes('/etc/tributary/topology.yaml'));
    assert.ok(find('ConfigMap', 'tributary-topology')!.data!['topology.yaml'], 'topology ConfigMap has topology.yaml');
  });

  it('runs scoring workers as a Deployment requesting and limited to nvidia.com/gpu', () => {
    const d = find('Deployment', 'tributary-scoring-worker')!;
    const c = d.spec.template.spec.containers[0] as Container;
    assert.equal(c.resources!.limits!['nvidia.com/gpu'], 1);
    assert.equal(c.resources!.requests!['nvidia.com/gpu'], 1);
    assert.ok(c.args!.join(' ').includes('--providers cuda,cpu'));
    assert.equal(c.readinessProbe.httpGet.path, '/v2/health/ready');
  });

  it('services and disruption budgets select existing pods on declared ports', () => {
    for (const o of objects.filter((x) => x.kind === 'Service' || x.kind === 'PodDisruptionBudget')) {
      const selector: Record<string, string> = o.kind === 'Service' ? o.spec.selector : o.spec.selector.matchLabels;
      const targets = workloads.filter((w) => matches(selector, w.spec.template.metadata.labels));
      assert.equal(targets.length, 1, `${o.kind}/${o.metadata.name} selects ${targets.length} workloads`);
      if (o.kind !== 'Service') continue;
      const portNames = new Set((targets[0].spec.template.spec.containers as Container[]).flatMap((c) => (c.ports ?? []).map((p) => p.name)));
      for (const p of o.spec.ports) assert.ok(portNames.has(p.targetPort), `${o.metadata.name}: targetPort ${p.targetPort}`);
    }
  });

  it('ships a topology in the ConfigMap that the real loader accepts with the pod environment', () => {
    const sts = find('StatefulSet', 'tributary-processor')!;
    const c = sts.spec.template.spec.containers[0] as Container & { env: Array<{ name: string; value?: string }> };
    const env: Record<string, string> = { ...find('ConfigMap', 'tributary-env')!.data };
    for (const e of c.env) if (e.value !== undefined) env[e.name] = e.value;
    // Custom operator paths point into the image (/app); here the repository is /app.
    const text = find('ConfigMap', 'tributary-topology')!.data!['topology.yaml'].replaceAll('/app/', `${repoRoot}/`);
    const result = loadTopologyText(text, 'deploy/k8s/topology-configmap.yaml', { env });
    assert.deepEqual(result.problems.map(formatProblem), []);
    assert.equal(result.topology?.name, 'word-count');
  });

  it('every absolute path a container is started with lies on one of its mounts, and a ConfigMap mount holds the file', () => {
    let checked = 0;
    for (const w of workloads) {
      const spec = w.spec.template.spec as { containers: Container[]; volumes?: Array<{ name: string; configMap?: { name: string }; persistentVolumeClaim?: { claimName: string } }> };
      const claims = new Set<string>((w.spec.volumeClaimTemplates ?? []).map((t: { metadata: { name: string } }) => t.metadata.name));
      for (const c of spec.containers) {
        for (const arg of (c.args ?? []).filter((a) => a.startsWith('/'))) {
          const mount = (c.volumeMounts ?? []).find((m) => arg === m.mountPath || arg.startsWith(`${m.mountPath}/`));
          assert.ok(mount, `${w.metadata.name}/${c.name}: ${arg} is on no volume mount (the image has nothing there)`);
          const volume = spec.volumes?.find((v) => v.name === mount.name);
          if (volume?.configMap) {
            const key = arg.slice(mount.mountPath.length + 1);
            assert.ok(find('ConfigMap', volume.configMap.name)?.data?.[key] !== undefined, `${w.metadata.name}: ConfigMap ${volume.configMap.name} has no key ${key} for ${arg}`);
          } else if (volume?.persistentVolumeClaim) {
            // Filled by the user's model pipeline (documented); the claim itself must exist.
            assert.ok(find('PersistentVolumeClaim', volume.persistentVolumeClaim.claimName), `${w.metadata.name}: unknown claim ${volume.persistentVolumeClaim.claimName}`);
          } else {
            assert.ok(claims.has(mount.name), `${w.metadata.name}: ${arg} is on volume ${mount.name}, neither a ConfigMap, a claim nor a claim template`);
          }
          checked++;
        }
      }
    }
    assert.ok(checked >= 2, `paths checked: ${checked}`);
  });
});
