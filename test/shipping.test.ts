import { DomainError } from '../src/common/errors';
import { ShippingPriority } from '../src/modules/orders/order-state';
import { SHIPPING_RATES } from '../src/modules/shipping/rates';
import { ShippingMethod } from '../src/modules/shipping/shipping-method';
import { assertRateTables, priceFor } from '../src/modules/shipping/shipping-quote';
import { startTestGateway, type TestGateway } from './support/gateway';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw.close());

const OPTION = `method methodName chargeableWeightKg actualWeightKg volumetricWeightKg volumetricDivisor weightStepKg
  appliedRule ruleDescription price { amount currency } deliveryDaysMin deliveryDaysMax available unavailableCode unavailableReason`;
const ESTIMATE = `query($input: ShippingEstimateInput!) {
  shippingEstimate(input: $input) {
    options { ${OPTION} }
    speed: defaultMethodFor(priority: SPEED) { method price { amount } }
    economy: defaultMethodFor(priority: ECONOMY) { method price { amount } }
  }
}`;

type Option = Record<string, any>;
interface Estimate {
  options: Option[];
  speed: { method: string; price: { amount: string } } | null;
  economy: { method: string; price: { amount: string } } | null;
}

const parcel = (weightKg: string, lengthCm: string, widthCm: string, heightCm: string) => ({ weightKg, lengthCm, widthCm, heightCm });

async function estimate(input: ReturnType<typeof parcel>): Promise<Estimate & { by: Record<string, Option> }> {
  const res = await gw.gql(ESTIMATE, { input });
  expect(res.errors).toBeUndefined();
  const est = res.data.shippingEstimate as Estimate;
  return { ...est, by: Object.fromEntries(est.options.map((o) => [o.method, o])) };
}

describe('shippingEstimate (anyone, no sign-in)', () => {
  it('charges a light, large box on its volumetric weight where the method counts volume', async () => {
    // 60 × 50 × 40 cm = 120,000 cm³ ÷ 6000 = 20 kg, against 1 kg on the scale
    const { options, by } = await estimate(parcel('1', '60', '50', '40'));
    expect(options.map((o) => o.method)).toEqual(['EMS', 'AIR', 'SAL', 'SEA']);
    expect(by.EMS).toMatchObject({
      methodName: 'EMS（国際スピード郵便） / EMS (Express Mail Service)',
      actualWeightKg: '1.0',
      volumetricWeightKg: '20.0',
      volumetricDivisor: 6000,
      chargeableWeightKg: '20.0',
      appliedRule: 'VOLUMETRIC',
      price: { amount: '14450', currency: 'JPY' },
      deliveryDaysMin: 3,
      deliveryDaysMax: 6,
      available: true,
      unavailableReason: null,
    });
    expect(by.EMS.ruleDescription).toContain('60 × 50 × 40 cm ÷ 6000 = 20.0 kg is more than actual 1.0 kg');
    expect(by.AIR).toMatchObject({ appliedRule: 'VOLUMETRIC', chargeableWeightKg: '20.0', price: { amount: '11620' } });
    expect(by.SAL).toMatchObject({ appliedRule: 'VOLUMETRIC', chargeableWeightKg: '20.0', price: { amount: '11000' } });
    expect(by.SEA).toMatchObject({
      appliedRule: 'ACTUAL', volumetricWeightKg: null, volumetricDivisor: null, chargeableWeightKg: '1.0', price: { amount: '1600' },
      deliveryDaysMin: 25, deliveryDaysMax: 45,
    });
  });

  it('charges a small, heavy box on its actual weight', async () => {
    // 20 × 20 × 20 cm ÷ 6000 = 1.333… kg, against 8 kg on the scale
    const { by } = await estimate(parcel('8', '20', '20', '20'));
    expect(by.EMS).toMatchObject({ actualWeightKg: '8.0', volumetricWeightKg: '1.334', appliedRule: 'ACTUAL', chargeableWeightKg: '8.0', price: { amount: '7050' } });
    expect(by.EMS.ruleDescription).toContain('20 × 20 × 20 cm ÷ 6000 ≈ 1.334 kg is not more than actual 8.0 kg');
    expect(by.SEA).toMatchObject({ chargeableWeightKg: '8.0', price: { amount: '3700' } });
  });

  it('rounds the chargeable weight up to each method’s step (0.5 kg for EMS/AIR, 1 kg for SAL/SEA)', async () => {
    const light = await estimate(parcel('1.25', '10', '10', '10'));
    expect(light.by.EMS).toMatchObject({ actualWeightKg: '1.25', chargeableWeightKg: '1.5', weightStepKg: '0.5', price: { amount: '2500' } });
    expect(light.by.AIR).toMatchObject({ chargeableWeightKg: '1.5', price: { amount: '2060' } });
    expect(light.by.SAL).toMatchObject({ chargeableWeightKg: '2.0', weightStepKg: '1.0', price: { amount: '2000' } });
    expect(light.by.SEA).toMatchObject({ chargeableWeightKg: '2.0', price: { amount: '1900' } });

    const oneGramOver = await estimate(parcel('1.501', '10', '10', '10'));
    expect(oneGramOver.by.EMS).toMatchObject({ chargeableWeightKg: '2.0', price: { amount: '2850' } });
    const exactStep = await estimate(parcel('1.500', '10', '10', '10'));
    expect(exactStep.by.EMS).toMatchObject({ chargeableWeightKg: '1.5', price: { amount: '2500' } });
    const oneGram = await estimate(parcel('0.001', '1', '1', '0.1'));
    expect(oneGram.by.EMS).toMatchObject({ actualWeightKg: '0.001', chargeableWeightKg: '0.5', price: { amount: '1800' } });

    // 30 × 30 × 31 cm ÷ 6000 = 4.65 kg volumetric → 5 kg
    const volumetric = await estimate(parcel('1', '30', '30', '31'));
    expect(volumetric.by.EMS).toMatchObject({ volumetricWeightKg: '4.65', chargeableWeightKg: '5.0', price: { amount: '4950' } });
  });

  it('lets sea parcels ignore volume while the other methods refuse a box too heavy by volume', async () => {
    // 100 × 50 × 50 cm ÷ 6000 = 41.667 kg volumetric: over every air method's limit
    const { by, speed, economy } = await estimate(parcel('2', '100', '50', '50'));
    expect(by.SEA).toMatchObject({ available: true, appliedRule: 'ACTUAL', chargeableWeightKg: '2.0', price: { amount: '1900' } });
    expect(by.SEA.ruleDescription).toContain('actual weight only');
    for (const method of ['EMS', 'AIR', 'SAL']) {
      expect(by[method]).toMatchObject({ available: false, price: null, unavailableCode: 'OVER_WEIGHT', chargeableWeightKg: '42.0' });
    }
    expect(by.EMS.unavailableReason).toBe('The chargeable weight, 42.0 kg, is over the 30.0 kg limit of EMS（国際スピード郵便） (EMS (Express Mail Service)).');
    // SPEED's default (EMS) cannot take it: the fastest method that can does.
    expect(speed).toEqual({ method: 'SEA', price: { amount: '1900' } });
    expect(economy).toEqual({ method: 'SEA', price: { amount: '1900' } });
  });

  it('marks methods unavailable for a side or a size over their limits, with the reason', async () => {
    const long = await estimate(parcel('2', '120', '30', '30'));
    expect(long.by.AIR).toMatchObject({ available: false, price: null, unavailableCode: 'OVER_LENGTH' });
    expect(long.by.AIR.unavailableReason).toBe('The longest side, 120 cm, is over the 105 cm limit of 航空便 (Air parcel).');
    expect(long.by.SAL).toMatchObject({ available: false, unavailableCode: 'OVER_LENGTH' });
    expect(long.by.EMS).toMatchObject({ available: true, chargeableWeightKg: '18.0', price: { amount: '13250' } });
    expect(long.speed).toEqual({ method: 'EMS', price: { amount: '13250' } });

    const bulky = await estimate(parcel('30', '90', '80', '70.5'));
    expect(bulky.by.AIR).toMatchObject({ available: false, unavailableCode: 'OVER_SIZE' });
    expect(bulky.by.AIR.unavailableReason).toContain('Length + width + height, 240.5 cm, is over the 200 cm limit');
    expect(bulky.by.SEA).toMatchObject({ available: true, chargeableWeightKg: '30.0', price: { amount: '10300' } });

    const tooLong = await estimate(parcel('1', '160', '20', '20'));
    expect(tooLong.options.every((o) => !o.available && o.unavailableCode === 'OVER_LENGTH')).toBe(true);
    expect(tooLong.speed).toBeNull();
    expect(tooLong.economy).toBeNull();
  });

  it('marks methods unavailable over their maximum weight', async () => {
    const heavy = await estimate(parcel('25', '30', '30', '30'));
    expect(heavy.by.SAL).toMatchObject({ available: false, unavailableCode: 'OVER_WEIGHT' });
    expect(heavy.by.SAL.unavailableReason).toContain('over the 20.0 kg limit of SAL便');
    expect(heavy.by.EMS).toMatchObject({ available: true, price: { amount: '17450' } });
    expect(heavy.economy).toEqual({ method: 'SEA', price: { amount: '8800' } });

    const atMax = await estimate(parcel('30.000', '30', '30', '30'));
    expect(atMax.by.SEA).toMatchObject({ available: true, price: { amount: '10300' } });
    const overMax = await estimate(parcel('30.001', '30', '30', '30'));
    expect(overMax.options.every((o) => !o.available && o.unavailableCode === 'OVER_WEIGHT')).toBe(true);
  });

  it.each([
    ['a negative weight', { weightKg: '-1' }, 'weightKg', /weightKg: must be more than 0/],
    ['a zero weight', { weightKg: '0' }, 'weightKg', /weightKg: must be more than 0/],
    ['a weight finer than a gram', { weightKg: '1.2345' }, 'weightKg', /weightKg: at most 3 decimals/],
    ['a weight in exponent form', { weightKg: '1e3' }, 'weightKg', /weightKg: write a number of kg/],
    ['an absurd weight', { weightKg: '5000' }, 'weightKg', /weightKg: must be at most 1000 kg/],
    ['a length finer than a millimetre', { lengthCm: '60.25' }, 'lengthCm', /lengthCm: at most 1 decimal/],
    ['a zero width', { widthCm: '0.0' }, 'widthCm', /widthCm: must be more than 0/],
    ['a height that is not a number', { heightCm: 'tall' }, 'heightCm', /heightCm: write a number of cm/],
    ['a negative height', { heightCm: '-20' }, 'heightCm', /heightCm: must be more than 0/],
  ])('refuses %s with BAD_USER_INPUT naming the field', async (_label, change, field, message) => {
    const res = await gw.gql(ESTIMATE, { input: { ...parcel('1', '60', '50', '40'), ...change } });
    expect(res.data).toBeNull();
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID', field: ['input', field] });
    expect(res.errors![0].message).toMatch(message);
  });

  it('reports every bad field in the message', async () => {
    const res = await gw.gql(ESTIMATE, { input: parcel('0', '-1', '10', '10.55') });
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['input', 'weightKg'] });
    expect(res.errors![0].message).toMatch(/weightKg: .*; lengthCm: .*; heightCm: /);
  });
});

describe('priceFor (used by the second invoice)', () => {
  const box = { weightGrams: 8000, lengthMm: 200, widthMm: 200, heightMm: 200 };

  it('prices a parcel by one method, in JPY', () => {
    expect(priceFor(ShippingMethod.EMS, box)).toMatchObject({ minor: 7050n, currency: 'JPY', amount: '7050' });
    expect(priceFor(ShippingMethod.SEA, { ...box, weightGrams: 1 })).toMatchObject({ minor: 1600n });
  });

  it('refuses a method that cannot take the parcel, as SHIPPING_METHOD_UNAVAILABLE on the given field', () => {
    const call = () => priceFor(ShippingMethod.SAL, { ...box, weightGrams: 25_000 }, ['input', 'method']);
    expect(call).toThrow(DomainError);
    try {
      call();
    } catch (error) {
      expect((error as DomainError).errors).toEqual([
        { code: 'SHIPPING_METHOD_UNAVAILABLE', field: ['input', 'method'], message: expect.stringContaining('over the 20.0 kg limit') },
      ]);
    }
  });
});

describe('rate tables', () => {
  it('ship valid, with one default method per shipping priority', () => {
    expect(() => assertRateTables(SHIPPING_RATES)).not.toThrow();
    expect(SHIPPING_RATES.find((r) => r.defaultFor === ShippingPriority.SPEED)?.method).toBe('EMS');
    expect(SHIPPING_RATES.find((r) => r.defaultFor === ShippingPriority.ECONOMY)?.method).toBe('SEA');
  });

  it('refuse an edit that would quote wrongly', () => {
    const [ems, ...rest] = SHIPPING_RATES;
    const swapped = [...ems.rates];
    [swapped[3], swapped[4]] = [swapped[4], swapped[3]];
    expect(() => assertRateTables([{ ...ems, rates: swapped }, ...rest])).toThrow(/EMS: row 2000 g is out of order/);
    expect(() => assertRateTables([{ ...ems, rates: ems.rates.slice(0, -1) }, ...rest])).toThrow(/last row must be the max weight 30000 g/);
    expect(() => assertRateTables([{ ...ems, defaultFor: null }, ...rest])).toThrow(/0 methods are the default for SPEED/);
  });
});
