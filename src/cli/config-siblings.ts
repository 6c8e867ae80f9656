// A Kubernetes file named alone (`deckhand plan app.yaml`, `render`, `run`) may use
// Secrets and ConfigMaps from the files beside it: those are read into its tree, so
// rendering finds them (tree.ts) and a bundle carries them to the agent.
import { readdirSync } from 'node:fs';

/** What a Kubernetes file says that makes it use Secrets or ConfigMaps, which may sit in other files of its folder. */
const usesConfigs = /\b(secretKeyRef|configMapKeyRef|secretRef|configMapRef|secretName)\b|^\s*configMap:/m;

/**
 * Reads the YAML files beside a Kubernetes file that uses Secrets or ConfigMaps, so they
 * travel in its bundle: the agent, rendering the file alone, finds them there (tree.ts).
 */
export function readConfigSiblings(files: ReadonlyMap<string, Uint8Array>, folder: string, path: string): void {
  const text = new TextDecoder().decode(files.get(path) ?? new Uint8Array());
  if (!/\.ya?ml$/.test(path) || !usesConfigs.test(text)) return;
  for (const name of readdirSync(folder)) if (name !== path && /\.ya?ml$/.test(name)) files.get(name);
}
