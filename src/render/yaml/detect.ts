// Helpers for the formats' cheap looks at a YAML file's text (render/formats.ts).

/** A line starting with `name:` at the top level, quoted or not. */
export function yamlKey(name: string): string {
  return `^["']?${name}["']?\\s*:\\s*`;
}

export function isYamlMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
