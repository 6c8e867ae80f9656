import { expandReferences } from '../../../src/render/kubernetes/expansion.js';

const vars: Record<string, string> = { HOST: 'db', PORT: '5432', EMPTY: '' };
const expand = (text: string) => expandReferences(text, (name) => vars[name]);

describe('$(VAR) expansion, as Kubernetes does it', () => {
  test.each([
    ['plain', 'plain'],
    ['$(HOST):$(PORT)', 'db:5432'],
    ['x$(EMPTY)y', 'xy'],
    ['$(UNKNOWN)', '$(UNKNOWN)'],
    ['$$(HOST)', '$(HOST)'],
    ['$$$(HOST)', '$db'],
    ['cost: $$5', 'cost: $5'],
    ['$HOST', '$HOST'],
    ['${HOST}', '${HOST}'],
    ['$(HOST', '$(HOST'],
    ['end$', 'end$'],
    ['$', '$'],
    ['$()', '$()'],
    ['$(HOST)$(HOST)', 'dbdb'],
  ])('%p → %p', (input, expected) => {
    expect(expand(input)).toBe(expected);
  });

  test('a name that is an Object.prototype key is not a variable', () => {
    expect(expandReferences('$(constructor)', (name) => new Map<string, string>().get(name))).toBe('$(constructor)');
  });
});
