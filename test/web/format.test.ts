import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatDate,
  formatFineness,
  formatMass,
  formatMoney,
  formatNumber,
} from '../../src/shared/format.ts';

// Intl output uses non-breaking spaces in some locales; compare with plain spaces.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('locale formatting of OpenASM quantities', () => {
  it('mass from integer milligrams: grams below a kilogram, kilograms above', () => {
    expect(plain(formatMass('en', 12_345))).toBe('12.345 g');
    expect(plain(formatMass('fr', 12_345))).toBe('12,345 g');
    expect(plain(formatMass('en', 2_500_000))).toBe('2.5 kg');
    expect(plain(formatMass('pt', 2_500_000))).toBe('2,5 kg');
  });

  it('fineness in per mille from parts per ten thousand', () => {
    expect(formatFineness('en', 9167)).toBe('916.7 ‰');
    expect(formatFineness('fr', 9167)).toBe('916,7 ‰');
  });

  it('money from minor units, with the currency’s own decimals', () => {
    expect(plain(formatMoney('en', 123_456, 'GHS'))).toMatch(/1,234\.56/);
    expect(plain(formatMoney('fr', 123_456, 'CDF'))).toMatch(/1 234,56/);
    expect(plain(formatMoney('en', 5_000, 'XOF'))).toMatch(/5,000/); // no minor unit
  });

  it('numbers and dates follow the language', () => {
    expect(plain(formatNumber('sw', 1234567.5, 1))).toBe('1,234,567.5');
    expect(plain(formatNumber('es', 1234567.5, 1))).toBe('1.234.567,5');
    expect(formatDate('fr', '2026-03-02T08:00:00Z', 'Africa/Kinshasa')).toMatch(/2 mars 2026/);
    expect(formatDate('en', '2026-03-02T23:30:00Z', 'Africa/Accra')).toMatch(/2 Mar 2026|Mar 2, 2026/);
  });

  it('never loses a milligram: the kilogram figure times a million gives back the integer (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_000_000, max: 10_000_000_000 }), (mg) => {
        const kg = Number(plain(formatMass('en', mg)).replace(/[^0-9.]/g, ''));
        // Three decimals of a kilogram are grams: the shown value is within half a gram.
        return Math.abs(kg * 1_000_000 - mg) <= 500;
      }),
    );
  });
});
