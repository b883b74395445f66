import { describe, expect, it } from 'vitest';
import { deadlineText, duration, money, rateSourceLabel, rateText, spentNow, spentText, totalsNow, totalsParts } from '../src/lib/money';
import type { Totals } from '../src/lib/bindings/Totals';

const NOW = Date.parse('2026-12-04T12:00:00Z');

describe('money', () => {
  it('formats an ISO currency with its symbol and two decimals', () => {
    expect(money(14.2, 'USD')).toBe('$14.20');
    expect(money(3.1, 'EUR')).toBe('€3.10');
  });
  it('rounds to whole units from 10 up when asked, keeps cents below', () => {
    expect(money(61.4, 'USD', true)).toBe('$61');
    expect(money(4.25, 'USD', true)).toBe('$4.25');
  });
  it('shows a vendor unit as a number and its name, never as a currency', () => {
    expect(money(12.5, 'credits')).toBe('12.5 credits');
    expect(money(3, 'credits')).toBe('3 credits');
  });
  it('shows a cost too small for cents as less than one, never as free', () => {
    expect(money(0.004, 'USD')).toBe('<$0.01');
    expect(money(0.001, 'credits')).toBe('<0.01 credits');
    expect(money(0, 'USD')).toBe('$0.00');
  });
  it('shows any other three-letter code by its code', () => {
    expect(money(2, 'XQZ')).toMatch(/^XQZ\s2\.00$/);
  });
});

describe('a card’s money', () => {
  it('shows the rate only while running and known', () => {
    expect(rateText({ state: 'running', rate: 3.2, currency: 'USD' })).toBe('≈ $3.20/h');
    expect(rateText({ state: 'stopped', rate: 0, currency: 'USD' })).toBeNull();
    expect(rateText({ state: 'running', rate: null, currency: null })).toBeNull();
  });
  it('marks spend that rests on a guess', () => {
    expect(spentText({ spent: 4.1, currency: 'USD', spent_estimated: false })).toBe('$4.10 so far');
    expect(spentText({ spent: 4.1, currency: 'USD', spent_estimated: true })).toBe('≈ $4.10 so far (estimate)');
    expect(spentText({ spent: null, currency: 'USD', spent_estimated: false })).toBeNull();
  });
  it('names where a rate came from', () => {
    expect(rateSourceLabel('vendor')).toBe('vendor');
    expect(rateSourceLabel('your-rates')).toBe('your rates');
    expect(rateSourceLabel('unknown')).toBe('no rate');
  });
});

describe('deadlines', () => {
  it('counts down to the vendor’s stop time', () => {
    const at = new Date(NOW + 72 * 60_000).toISOString();
    expect(deadlineText({ state: 'running', stops_at: at, idle_stop_minutes: 30 }, NOW)).toBe('stops in 1 h 12 min');
  });
  it('says any moment once the time has come or passed', () => {
    expect(deadlineText({ state: 'running', stops_at: new Date(NOW - 5000).toISOString(), idle_stop_minutes: null }, NOW)).toBe('stops any moment now');
  });
  it('states the idle rule where no countdown is reported', () => {
    expect(deadlineText({ state: 'running', stops_at: null, idle_stop_minutes: 30 }, NOW)).toBe('stops when idle for 30 min');
    expect(deadlineText({ state: 'running', stops_at: null, idle_stop_minutes: 90 }, NOW)).toBe('stops when idle for 1 h 30 min');
  });
  it('has no deadline when stopped, or when nothing is known', () => {
    expect(deadlineText({ state: 'stopped', stops_at: null, idle_stop_minutes: 30 }, NOW)).toBeNull();
    expect(deadlineText({ state: 'running', stops_at: 'not a time', idle_stop_minutes: null }, NOW)).toBeNull();
  });
  it('writes durations in the largest two units', () => {
    expect(duration(45)).toBe('45 min');
    expect(duration(60)).toBe('1 h');
    expect(duration(60 * 24 * 2 + 180)).toBe('2 d 3 h');
  });
});

describe('the header line', () => {
  const totals: Totals = {
    running: 3, gpus: 9, unpriced: 0, accounts: {},
    spend: [{ currency: 'USD', per_hour: 14.2, today: 61.3, week: 200, month: 500, estimated: false }],
  };
  it('reads "3 running · 9 GPUs · ≈ $14.20/h · today ≈ $61"', () => {
    expect(totalsParts(totals).join(' · ')).toBe('3 running · 9 GPUs · ≈ $14.20/h · today ≈ $61');
  });
  it('keeps each unit apart, credits as credits, and counts what has no rate', () => {
    const mixed: Totals = {
      ...totals, gpus: 1, unpriced: 2,
      spend: [...totals.spend, { currency: 'credits', per_hour: 12.5, today: 40, week: 0, month: 0, estimated: true }],
    };
    expect(totalsParts(mixed)).toEqual([
      '3 running', '1 GPU', '≈ $14.20/h', 'today ≈ $61', '≈ 12.5 credits/h', 'today ≈ 40 credits (estimate)', '2 without a rate',
    ]);
  });
  it('has no GPU part without GPUs', () => {
    expect(totalsParts({ ...totals, gpus: 0, spend: [] })).toEqual(['3 running']);
  });
});

describe('spend between snapshots', () => {
  const since = Date.parse('2026-12-04T10:00:00Z');
  const halfHourLater = since + 30 * 60_000;

  it('carries a running workspace’s spend forward at its rate, and only a running one', () => {
    expect(spentNow({ state: 'running', spent: 1, rate: 4 }, since, halfHourLater)).toBeCloseTo(3);
    expect(spentNow({ state: 'stopped', spent: 1, rate: 0 }, since, halfHourLater)).toBe(1);
    expect(spentNow({ state: 'running', spent: null, rate: 4 }, since, halfHourLater)).toBeNull();
    expect(spentNow({ state: 'running', spent: 1, rate: null }, since, halfHourLater)).toBe(1);
    expect(spentNow({ state: 'running', spent: 1, rate: 4 }, since, since - 60_000)).toBe(1);
  });

  it('carries each unit’s totals forward at its own rate per hour', () => {
    const t: Totals = {
      running: 2, gpus: 1, unpriced: 0, accounts: {},
      spend: [
        { currency: 'USD', per_hour: 2, today: 10, week: 20, month: 30, estimated: false },
        { currency: 'credits', per_hour: 0, today: 5, week: 5, month: 5, estimated: false },
      ],
    };
    const later = totalsNow(t, since, halfHourLater);
    expect(later.spend[0].today).toBeCloseTo(11);
    expect(later.spend[0].month).toBeCloseTo(31);
    expect(later.spend[1].today).toBe(5);
    expect(totalsNow(t, since, since)).toBe(t);
  });
});
