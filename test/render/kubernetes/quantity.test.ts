import { parseQuantity, toCores, toMebibytes } from '../../../src/render/kubernetes/quantity.js';

const cores = (value: unknown) => toCores(parseQuantity(value)!);
const mebibytes = (value: unknown) => toMebibytes(parseQuantity(value)!);

describe('Kubernetes quantities', () => {
  test.each([
    ['500m', 0.5],
    ['100m', 0.1],
    ['1', 1],
    [1, 1],
    [0.25, 0.25],
    ['1.1', 1.1],
    ['2.5', 2.5],
    ['1.0001', 1.001],
    ['1500000u', 1.5],
    ['.5', 0.5],
    ['1k', 1000],
  ])('cpu %p → %p cores (rounded up to millicores)', (value, expected) => {
    expect(cores(value)).toBe(expected);
  });

  test.each([
    ['128Mi', 128],
    ['1Gi', 1024],
    ['1.5Gi', 1536],
    ['512Ki', 1],
    ['500M', 477],
    ['1G', 954],
    ['1e9', 954],
    [1e9, 954],
    ['1E9', 954],
    ['134217728', 128],
    [134217728, 128],
    ['134217729', 129],
    ['128974848000m', 123],
    ['1Ti', 1_048_576],
    ['0', 0],
  ])('memory %p → %p MiB (rounded up)', (value, expected) => {
    expect(mebibytes(value)).toBe(expected);
  });

  test('"E" alone is exa, "E" with digits an exponent', () => {
    expect(mebibytes('1E')).toBe(Math.ceil(1e18 / 1_048_576));
    expect(mebibytes('2E6')).toBe(2);
  });

  test('a sign is kept for the caller to refuse', () => {
    expect(parseQuantity('-1')?.negative).toBe(true);
    expect(parseQuantity('+1')?.negative).toBe(false);
    expect(parseQuantity('-0')?.negative).toBe(false);
  });

  test.each(['128MB', '1e3m', '1.5.2', 'lots', '', 'm', '1 Gi', '1gi', '1K', 'Mi', '1e', '0x10', 'NaN', Infinity, NaN, '1e999999999', '1e-99', null, true, [], {}])(
    '%p is not a quantity',
    (value) => {
      expect(parseQuantity(value)).toBeUndefined();
    },
  );
});
