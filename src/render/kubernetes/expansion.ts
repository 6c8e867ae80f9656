// Kubernetes expands `$(VAR_NAME)` in env values, `command` and `args` before the
// container starts; deckhand does it at render time so the task runs what the
// cluster would run. Same rules as Kubernetes' expansion package: an unknown
// name stays as written, `$$` is a literal `$`, and `$$(X)` is the text `$(X)`.

export function expandReferences(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let cursor = 0;
  while (cursor < input.length) {
    const dollar = input.indexOf('$', cursor);
    if (dollar < 0 || dollar === input.length - 1) break;
    out += input.slice(cursor, dollar);
    const next = input[dollar + 1];
    if (next === '$') {
      out += '$';
      cursor = dollar + 2;
    } else if (next === '(') {
      const close = input.indexOf(')', dollar + 2);
      if (close < 0) {
        out += '$(';
        cursor = dollar + 2;
      } else {
        const name = input.slice(dollar + 2, close);
        out += lookup(name) ?? `$(${name})`;
        cursor = close + 1;
      }
    } else {
      out += `$${next}`;
      cursor = dollar + 2;
    }
  }
  return out + input.slice(cursor);
}
