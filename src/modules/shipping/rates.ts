import { ShippingPriority } from '../orders/order-state';
import { ShippingMethod, type MethodRates } from './shipping-method';

/**
 * International shipping rates, China warehouse → Japan, in yen including our handling.
 * Edit here to change prices or limits (docs/shipping-and-calendar.md); the tables are checked
 * when the gateway starts (ascending rows, whole steps, last row = max weight), so a typo stops
 * the process instead of quoting a wrong price.
 *
 * Sizes: EMS and sea parcels take up to 150 cm on the longest side and 300 cm for the three
 * sides together; air and SAL parcels up to 105 cm and 200 cm. SAL takes at most 20 kg.
 */
export const SHIPPING_RATES: readonly MethodRates[] = [
  {
    method: ShippingMethod.EMS,
    nameJa: 'EMS（国際スピード郵便）',
    nameEn: 'EMS (Express Mail Service)',
    volumetricDivisor: 6000,
    stepGrams: 500,
    maxWeightGrams: 30_000,
    longestSideMaxMm: 1500,
    sumOfSidesMaxMm: 3000,
    deliveryDaysMin: 3,
    deliveryDaysMax: 6,
    defaultFor: ShippingPriority.SPEED,
    // ¥1,800 for the first 0.5 kg, +¥350 per 0.5 kg to 10 kg, +¥300 per 0.5 kg above.
    rates: [
      [500, 1800], [1000, 2150], [1500, 2500], [2000, 2850], [2500, 3200], [3000, 3550],
      [3500, 3900], [4000, 4250], [4500, 4600], [5000, 4950], [5500, 5300], [6000, 5650],
      [6500, 6000], [7000, 6350], [7500, 6700], [8000, 7050], [8500, 7400], [9000, 7750],
      [9500, 8100], [10_000, 8450], [10_500, 8750], [11_000, 9050], [11_500, 9350], [12_000, 9650],
      [12_500, 9950], [13_000, 10_250], [13_500, 10_550], [14_000, 10_850], [14_500, 11_150], [15_000, 11_450],
      [15_500, 11_750], [16_000, 12_050], [16_500, 12_350], [17_000, 12_650], [17_500, 12_950], [18_000, 13_250],
      [18_500, 13_550], [19_000, 13_850], [19_500, 14_150], [20_000, 14_450], [20_500, 14_750], [21_000, 15_050],
      [21_500, 15_350], [22_000, 15_650], [22_500, 15_950], [23_000, 16_250], [23_500, 16_550], [24_000, 16_850],
      [24_500, 17_150], [25_000, 17_450], [25_500, 17_750], [26_000, 18_050], [26_500, 18_350], [27_000, 18_650],
      [27_500, 18_950], [28_000, 19_250], [28_500, 19_550], [29_000, 19_850], [29_500, 20_150], [30_000, 20_450],
    ],
  },
  {
    method: ShippingMethod.AIR,
    nameJa: '航空便',
    nameEn: 'Air parcel',
    volumetricDivisor: 6000,
    stepGrams: 500,
    maxWeightGrams: 30_000,
    longestSideMaxMm: 1050,
    sumOfSidesMaxMm: 2000,
    deliveryDaysMin: 5,
    deliveryDaysMax: 10,
    defaultFor: null,
    // ¥1,500 for the first 0.5 kg, +¥280 per 0.5 kg to 10 kg, +¥240 per 0.5 kg above.
    rates: [
      [500, 1500], [1000, 1780], [1500, 2060], [2000, 2340], [2500, 2620], [3000, 2900],
      [3500, 3180], [4000, 3460], [4500, 3740], [5000, 4020], [5500, 4300], [6000, 4580],
      [6500, 4860], [7000, 5140], [7500, 5420], [8000, 5700], [8500, 5980], [9000, 6260],
      [9500, 6540], [10_000, 6820], [10_500, 7060], [11_000, 7300], [11_500, 7540], [12_000, 7780],
      [12_500, 8020], [13_000, 8260], [13_500, 8500], [14_000, 8740], [14_500, 8980], [15_000, 9220],
      [15_500, 9460], [16_000, 9700], [16_500, 9940], [17_000, 10_180], [17_500, 10_420], [18_000, 10_660],
      [18_500, 10_900], [19_000, 11_140], [19_500, 11_380], [20_000, 11_620], [20_500, 11_860], [21_000, 12_100],
      [21_500, 12_340], [22_000, 12_580], [22_500, 12_820], [23_000, 13_060], [23_500, 13_300], [24_000, 13_540],
      [24_500, 13_780], [25_000, 14_020], [25_500, 14_260], [26_000, 14_500], [26_500, 14_740], [27_000, 14_980],
      [27_500, 15_220], [28_000, 15_460], [28_500, 15_700], [29_000, 15_940], [29_500, 16_180], [30_000, 16_420],
    ],
  },
  {
    method: ShippingMethod.SAL,
    nameJa: 'SAL便（エコノミー航空便）',
    nameEn: 'SAL (economy air)',
    volumetricDivisor: 6000,
    stepGrams: 1000,
    maxWeightGrams: 20_000,
    longestSideMaxMm: 1050,
    sumOfSidesMaxMm: 2000,
    deliveryDaysMin: 10,
    deliveryDaysMax: 20,
    defaultFor: null,
    // ¥1,500 for the first kg, +¥500 per kg.
    rates: [
      [1000, 1500], [2000, 2000], [3000, 2500], [4000, 3000], [5000, 3500],
      [6000, 4000], [7000, 4500], [8000, 5000], [9000, 5500], [10_000, 6000],
      [11_000, 6500], [12_000, 7000], [13_000, 7500], [14_000, 8000], [15_000, 8500],
      [16_000, 9000], [17_000, 9500], [18_000, 10_000], [19_000, 10_500], [20_000, 11_000],
    ],
  },
  {
    method: ShippingMethod.SEA,
    nameJa: '船便',
    nameEn: 'Sea parcel',
    volumetricDivisor: null,
    stepGrams: 1000,
    maxWeightGrams: 30_000,
    longestSideMaxMm: 1500,
    sumOfSidesMaxMm: 3000,
    deliveryDaysMin: 25,
    deliveryDaysMax: 45,
    defaultFor: ShippingPriority.ECONOMY,
    // ¥1,600 for the first kg, +¥300 per kg.
    rates: [
      [1000, 1600], [2000, 1900], [3000, 2200], [4000, 2500], [5000, 2800],
      [6000, 3100], [7000, 3400], [8000, 3700], [9000, 4000], [10_000, 4300],
      [11_000, 4600], [12_000, 4900], [13_000, 5200], [14_000, 5500], [15_000, 5800],
      [16_000, 6100], [17_000, 6400], [18_000, 6700], [19_000, 7000], [20_000, 7300],
      [21_000, 7600], [22_000, 7900], [23_000, 8200], [24_000, 8500], [25_000, 8800],
      [26_000, 9100], [27_000, 9400], [28_000, 9700], [29_000, 10_000], [30_000, 10_300],
    ],
  },
];
