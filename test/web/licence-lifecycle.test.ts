/**
 * The rules the licence page applies before asking the server: the renewal window (the "Renew"
 * button is shown exactly when the server would accept), the condition code made from a description,
 * and the words of each history step.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, renewalWindow as serverWindow } from '../../src/server/modules/licensing/lifecycle.ts';
import { localDate } from '../../src/server/platform/calendar.ts';
import { codeOf } from '../../src/web/features/licensing/licence-conditions.tsx';
import { stepOf } from '../../src/web/features/licensing/licence-history.tsx';
import { renewalWindow, todayIn } from '../../src/web/features/licensing/licence-renewal.tsx';

const day = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

describe('renewal window on the licence page', () => {
  it('agrees with the server on every day around the end of a licence', () => {
    fc.assert(
      fc.property(day, fc.integer({ min: -400, max: 400 }), (validTo, offset) => {
        const today = addDays(validTo, offset);
        expect(renewalWindow(validTo, today).state).toBe(serverWindow(validTo, today));
      }),
      { numRuns: 2000 },
    );
  });

  it("counts today in the profile's time zone as the server does (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 11, 31) }).map((ms) => new Date(ms)),
        fc.constantFrom('UTC', 'Africa/Accra', 'Africa/Kinshasa', 'Pacific/Kiritimati', 'Pacific/Pago_Pago'),
        (now, zone) => {
          expect(todayIn(zone, now)).toBe(localDate(now, zone));
        },
      ),
    );
  });

  it('opens 90 days before the end and closes 180 days after, both days included', () => {
    fc.assert(
      fc.property(day, (validTo) => {
        const { opens, closes } = renewalWindow(validTo, validTo);
        expect(opens).toBe(addDays(validTo, -90));
        expect(closes).toBe(addDays(validTo, 180));
        expect(renewalWindow(validTo, opens).state).toBe('open');
        expect(renewalWindow(validTo, addDays(opens, -1)).state).toBe('too_early');
        expect(renewalWindow(validTo, closes).state).toBe('open');
        expect(renewalWindow(validTo, addDays(closes, 1)).state).toBe('too_late');
      }),
    );
  });
});

describe('condition code from a description', () => {
  it('is a code the server accepts, or empty when the text has no letter', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const code = codeOf(text);
        expect(code === '' || /^[a-z][a-z0-9_]{0,63}$/.test(code)).toBe(true);
      }),
    );
    expect(codeOf('Clôturer les puits ouverts')).toBe('cloturer_les_puits_ouverts');
    expect(codeOf('  2. Fence the pits!  ')).toBe('fence_the_pits');
  });
});

describe('history steps', () => {
  it('names each recorded step', () => {
    const s = (fromStatus: string | null, toStatus: string, action: string | null = null) =>
      stepOf({ fromStatus, toStatus, action });
    expect(s(null, 'draft')).toBe('created');
    expect(s(null, 'active')).toBe('activated');
    expect(s('draft', 'submitted')).toBe('submitted');
    expect(s('submitted', 'under_review')).toBe('under_review');
    expect(s('approved', 'issued')).toBe('issued');
    expect(s('active', 'suspended')).toBe('suspended');
    expect(s('suspended', 'active')).toBe('reinstated');
    expect(s('active', 'active')).toBe('changed');
    expect(s('expired', 'active', 'renewed')).toBe('renewed');
  });
});
