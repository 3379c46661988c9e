/**
 * Fee amounts typed by an officer on the licensing screens, turned into the integer minor units the
 * API takes: exact for every currency, never through floating point.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  currencyDigits,
  fromMinorUnits,
  toMinorUnits,
} from '../../src/web/features/licensing/money-input.ts';

const CURRENCIES = ['GHS', 'CDF', 'USD', 'JPY', 'KWD'] as const;

describe('fee amounts typed by an officer', () => {
  it('round-trip through minor units exactly, for currencies with 0, 2 and 3 decimals', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), fc.constantFrom(...CURRENCIES), (minor, c) => {
        expect(toMinorUnits(fromMinorUnits(minor, c), c)).toBe(minor);
      }),
    );
  });

  it('reads whole and fractional parts as the sum they write, with a comma or a point', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e9 }),
        fc.integer({ min: 0, max: 99 }),
        fc.constantFrom('.', ','),
        (whole, cents, sep) => {
          const text = `${whole}${sep}${String(cents).padStart(2, '0')}`;
          expect(toMinorUnits(text, 'GHS')).toBe(whole * 100 + cents);
        },
      ),
    );
  });

  it('reads decimals as text, not floating point', () => {
    expect(currencyDigits('GHS')).toBe(2);
    expect(toMinorUnits('0.29', 'GHS')).toBe(29);
    expect(toMinorUnits('100', 'GHS')).toBe(10000);
    expect(toMinorUnits('100,5', 'GHS')).toBe(10050);
    expect(toMinorUnits(' 1 234.56 ', 'GHS')).toBe(123456);
    expect(toMinorUnits('1.005', 'KWD')).toBe(1005);
    expect(toMinorUnits('500', 'JPY')).toBe(500);
    expect(fromMinorUnits(5, 'GHS')).toBe('0.05');
  });

  it('refuses what is not an amount of the currency', () => {
    for (const bad of ['', '-5', '1.234', '1e3', 'abc', '1.2.3', '.5', '99999999999999999999']) {
      expect(toMinorUnits(bad, 'GHS'), bad).toBeNull();
    }
    expect(toMinorUnits('5.5', 'JPY')).toBeNull();
  });
});
