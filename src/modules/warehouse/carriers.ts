import { registerEnumType } from 'type-graphql';

/** Carriers we hand parcels to, each with its public tracking page. */
export enum Carrier {
  JAPAN_POST = 'JAPAN_POST', // EMS, air, SAL and sea mail arrive through Japan Post
  YAMATO = 'YAMATO',
  SAGAWA = 'SAGAWA',
  SF_EXPRESS = 'SF_EXPRESS',
  DHL = 'DHL',
}
registerEnumType(Carrier, {
  name: 'Carrier',
  description: 'Who carries a parcel, each with its public tracking page (`Shipment.trackingUrl`).',
  valuesConfig: {
    JAPAN_POST: { description: '日本郵便: EMS, air, SAL and sea mail arrive through Japan Post. Tracking numbers like EE123456789CN.' },
    YAMATO: { description: 'ヤマト運輸 (12-digit tracking numbers).' },
    SAGAWA: { description: '佐川急便 (10 to 12-digit tracking numbers).' },
    SF_EXPRESS: { description: 'SF Express (SF and 12 or 13 digits).' },
    DHL: { description: 'DHL Express (10-digit tracking numbers).' },
  },
});

const TRACKING: Record<Carrier, { name: string; url: (n: string) => string; pattern: RegExp }> = {
  JAPAN_POST: { name: '日本郵便', url: (n) => `https://trackings.post.japanpost.jp/services/srv/search/direct?reqCodeNo1=${n}&locale=ja`, pattern: /^[A-Z]{2}\d{9}[A-Z]{2}$|^\d{11,12}$/ },
  YAMATO: { name: 'ヤマト運輸', url: (n) => `https://toi.kuronekoyamato.co.jp/cgi-bin/tneko?number00=1&number01=${n}`, pattern: /^\d{12}$/ },
  SAGAWA: { name: '佐川急便', url: (n) => `https://k2k.sagawa-exp.co.jp/p/web/okurijosearch.do?okurijoNo=${n}`, pattern: /^\d{10,12}$/ },
  SF_EXPRESS: { name: 'SF Express', url: (n) => `https://www.sf-express.com/jp/ja/dynamic_function/waybill/#search/bill-number/${n}`, pattern: /^SF\d{12,13}$/ },
  DHL: { name: 'DHL', url: (n) => `https://www.dhl.com/jp-ja/home/tracking.html?tracking-id=${n}`, pattern: /^\d{10}$/ },
};

export function normalizeTrackingNumber(raw: string): string {
  return raw.toUpperCase().replace(/[\s-]/g, '');
}

export function isValidTrackingNumber(carrier: Carrier, number: string): boolean {
  return TRACKING[carrier].pattern.test(number);
}

export function trackingUrl(carrier: Carrier, number: string): string {
  return TRACKING[carrier].url(encodeURIComponent(number));
}

export function carrierName(carrier: Carrier): string {
  return TRACKING[carrier].name;
}
