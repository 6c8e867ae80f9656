// setPlainKey gives the own data property setOwn gives, for every key a file may hold.
import { setPlainKey } from '../../src/util/plain-object.js';
import { setOwn } from '../../src/util/own.js';

test('setPlainKey and setOwn make the same objects', () => {
  for (const key of ['name', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '0', '', 'a.b']) {
    const viaAssignment: Record<string, unknown> = {};
    const viaDefine: Record<string, unknown> = {};
    for (const [target, set] of [[viaAssignment, setPlainKey], [viaDefine, setOwn]] as const) {
      set(target, 'first', 1);
      set(target, key, { deep: true });
      set(target, key, 'again');
    }
    expect([key, Object.getPrototypeOf(viaAssignment), Object.getOwnPropertyDescriptors(viaAssignment)]).toEqual([key, Object.prototype, Object.getOwnPropertyDescriptors(viaDefine)]);
    expect(Object.keys(viaAssignment)).toEqual(Object.keys(viaDefine));
  }
});
