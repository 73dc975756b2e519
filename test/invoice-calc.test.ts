import { cnyToJpy, computeFirstInvoice, parseRate, serviceFee } from '../src/modules/invoices/invoice-calc';
import { divRoundHalfUp, formatMinor, parseMinor, Currency } from '../src/common/money';

describe('the one rounding rule: half up to the whole yen', () => {
  const rate1 = parseRate('1', []); // 1 JPY per CNY: fen → yen is ÷100

  it.each([
    [49n, 0n], // ¥0.49 → 0
    [50n, 1n], // ¥0.50 → 1 (half rounds up)
    [51n, 1n],
    [149n, 1n],
    [150n, 2n],
    [0n, 0n],
  ])('%s fen at 1.0000 is %s yen', (fen, yen) => {
    expect(cnyToJpy(fen, rate1)).toBe(yen);
  });

  it('converts at 4-decimal rates exactly (no float drift)', () => {
    // 9999 fen × 21.37 = 2136.7863 yen → 2137; 2500 × 21.37 = 534.25 → 534
    expect(cnyToJpy(9999n, parseRate('21.37', []))).toBe(2137n);
    expect(cnyToJpy(2500n, parseRate('21.37', []))).toBe(534n);
    // 0.1 + 0.2 style trap: 30 fen × 21.3333 = 6.39999 → 6
    expect(cnyToJpy(30n, parseRate('21.3333', []))).toBe(6n);
    // 1 fen at 50.0000 = 0.5 yen → 1
    expect(cnyToJpy(1n, parseRate('50', []))).toBe(1n);
  });

  it('rounds the service fee half up and applies the minimum', () => {
    expect(serviceFee(2693n, { percentBps: 500, minimumJpy: 500n })).toBe(500n); // 134.65 < 500
    expect(serviceFee(20_010n, { percentBps: 500, minimumJpy: 500n })).toBe(1001n); // 1000.5 → 1001
    expect(serviceFee(20_009n, { percentBps: 500, minimumJpy: 500n })).toBe(1000n); // 1000.45 → 1000
  });

  it('refuses rates that are zero, negative, or too precise', () => {
    for (const bad of ['0', '-1', '21.37001', 'abc', '1e3', '']) expect(() => parseRate(bad, ['r'])).toThrow();
  });

  it('parses and prints money without floats', () => {
    expect(parseMinor('12.5', Currency.CNY, [])).toBe(1250n);
    expect(formatMinor(1250n, Currency.CNY)).toBe('12.50');
    expect(formatMinor(-5n, Currency.CNY)).toBe('-0.05');
    expect(() => parseMinor('12.505', Currency.CNY, [])).toThrow();
    expect(() => parseMinor('12.5', Currency.JPY, [])).toThrow();
    expect(divRoundHalfUp(-3n, 2n)).toBe(-2n);
  });

  it('makes invoice lines that add up to the total', () => {
    const rate = parseRate('21.37', []);
    const { lines, total } = computeFirstInvoice(
      [
        { id: 'a', title: 'A', quantity: 2, unitPriceCny: 1250n, chinaShippingCny: 800n },
        { id: 'b', title: 'B', quantity: 1, unitPriceCny: 9999n, chinaShippingCny: 0n },
      ],
      rate,
      { percentBps: 500, minimumJpy: 500n },
    );
    expect(lines.map((l) => [l.kind, l.amount])).toEqual([
      ['GOODS', '534'],
      ['CHINA_SHIPPING', '171'],
      ['GOODS', '2137'],
      ['SERVICE_FEE', '500'],
    ]);
    expect(total).toBe(534n + 171n + 2137n + 500n);
  });
});
