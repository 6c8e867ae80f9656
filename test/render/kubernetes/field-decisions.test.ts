// The Kubernetes decision tables: every field the API defines for a Deployment's
// spec, its pod and its containers is decided, and every refused one is an error
// at its own key.
import { refusedNames } from '../../../src/render/field-decision.js';
import { containerFields, deploymentSpecFields, podSpecFields, serviceSpecFields } from '../../../src/render/kubernetes/api-fields.js';
import { containerDecisions, deploymentSpecDecisions, podSpecDecisions, securityContextDecisions, serviceSpecDecisions } from '../../../src/render/kubernetes/field-decisions.js';
import { deployment, renderObjects } from './helpers.js';

/** A value each refused field is refused with (its harmless values aside). */
const refusedValue = (field: string): unknown => (field === 'hostUsers' ? false : field === 'os' ? { name: 'windows' } : field === 'dnsPolicy' ? 'Default' : field === 'procMount' ? 'Unmasked' : field.endsWith('Profile') ? { type: 'Localhost' } : true);

describe('Kubernetes field decisions', () => {
  test.each([
    ['Deployment spec', deploymentSpecDecisions, deploymentSpecFields],
    ['pod spec', podSpecDecisions, podSpecFields],
    ['container', containerDecisions, containerFields],
    ['Service spec', serviceSpecDecisions, serviceSpecFields],
  ])('every %s field of the API is decided, and only those', (_, table, fields) => {
    expect(Object.keys(table).sort()).toEqual([...fields].sort());
  });

  const cases = [
    ...refusedNames(deploymentSpecDecisions).map((field) => ['spec', field, { spec: { [field]: refusedValue(field) } }, `spec.${field}`] as const),
    ...refusedNames(podSpecDecisions).map((field) => ['pod', field, { pod: { [field]: refusedValue(field) } }, `spec.template.spec.${field}`] as const),
    ...refusedNames(containerDecisions).map((field) => ['container', field, { container: { [field]: refusedValue(field) } }, `spec.template.spec.containers[0].${field}`] as const),
    ...refusedNames(securityContextDecisions).map((field) => ['container securityContext', field, { container: { securityContext: { [field]: refusedValue(field) } } }, `spec.template.spec.containers[0].securityContext.${field}`] as const),
    ...refusedNames(securityContextDecisions).map((field) => ['pod securityContext', field, { pod: { securityContext: { [field]: refusedValue(field) } } }, `spec.template.spec.securityContext.${field}`] as const),
  ];

  test.each(cases)('%s field %s is refused at its key as unsupported, and no job is made', (_, field, patch, at) => {
    const result = renderObjects(deployment(patch));
    expect(result.jobs).toEqual([]);
    expect(result.diagnostics).toContainEqual(expect.objectContaining({ severity: 'error', code: 'unsupported', field: at, message: expect.stringMatching(new RegExp(`^${field} is not supported: `)) }));
  });

  const service = (spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 80 }], ...spec } });

  test.each(refusedNames(serviceSpecDecisions))('Service field %s is refused at its key as unsupported', (field) => {
    const value = field === 'sessionAffinity' ? 'ClientIP' : field === 'publishNotReadyAddresses' ? true : ['10.0.0.0/8'];
    const result = renderObjects(deployment(), service({ [field]: field === 'loadBalancerIP' ? '10.0.0.1' : value }));
    expect(result.diagnostics).toContainEqual(expect.objectContaining({ severity: 'error', code: 'unsupported', field: `spec.${field}`, message: expect.stringMatching(new RegExp(`^${field} is not supported: `)) }));
  });

  test('a Service that only steers a cloud load balancer is accepted', () => {
    const result = renderObjects(deployment(), service({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', sessionAffinity: 'None', ipFamilyPolicy: 'SingleStack', loadBalancerClass: 'x' }));
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  test('values that ask for nothing deckhand does not do are accepted', () => {
    const result = renderObjects(deployment({
      spec: { paused: false },
      pod: { hostPID: false, hostIPC: false, hostUsers: true, os: { name: 'linux' }, dnsPolicy: 'ClusterFirst', shareProcessNamespace: false, nodeSelector: { disk: 'ssd' }, priorityClassName: 'high' },
      container: { tty: false, stdin: false, terminationMessagePolicy: 'File', securityContext: { privileged: false, seccompProfile: { type: 'RuntimeDefault' }, procMount: 'Default' } },
    }));
    expect(result.diagnostics).toEqual([]);
    expect(result.jobs).toHaveLength(1);
  });
});
