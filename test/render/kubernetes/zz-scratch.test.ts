import { kubernetesRenderer } from '../../../src/render/kubernetes/index.js';
import { formatDiagnostic } from '../../../src/model/diagnostic.js';
test('scratch', () => {
  const ctx = { env: {}, vars: {}, varFiles: [], rootName: 'x', readFile: () => undefined };
  const base = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n';
  for (const t of [
    '  replicas: 2\n   template:\n    spec: {}\n',
    '  template:\n    spec:\n      containers:\n        - name: web\n          image: deckhand-demo:v1\n         ports: []\n',
    '  template:\n    spec:\n      containers:\n        - name: web\n          image: "deckhand-demo:v1\n',
    '  template:\n    spec:\n      containers:\n        - name: web\n\timage: x\n',
    '  replicas: 2\n  replicas: 3\n',
    '  template:\n    spec:\n      containers:\n        - name: web\n          image: deckhand-demo:v1\n          env:\n            - name: A\n            value: b\n',
  ]) {
    const r = kubernetesRenderer.render({ path: 'x.yaml', text: base + t }, ctx);
    console.log(t + '\n=> ' + r.diagnostics.map(formatDiagnostic).join('\n=> '));
  }
});
