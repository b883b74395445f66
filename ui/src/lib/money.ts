// Money and deadlines as the window shows them: pure, no state, tested with vitest.
// Units are never added together: a vendor's credits stay credits, each currency stays itself.
import type { RateSource } from './bindings/RateSource';
import type { Totals } from './bindings/Totals';
import type { Workspace } from './bindings/Workspace';

const ISO_4217 = /^[A-Z]{3}$/;

/**
 * An amount in a currency ("$14.20", "€3.10") or in a vendor's unit ("12.5 credits").
 * `whole` rounds to whole units from 10 up ("$61"), for totals read at a glance.
 */
export function money(amount: number, currency: string, whole = false): string {
  // A cost too small to show in cents is not free.
  if (amount > 0 && amount < 0.005) return `<${money(0.01, currency)}`;
  const digits = whole && Math.abs(amount) >= 10 ? 0 : 2;
  if (ISO_4217.test(currency)) {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(amount);
  }
  const n = new Intl.NumberFormat('en-US', { maximumFractionDigits: digits }).format(amount);
  return `${n} ${currency}`;
}

/** "≈ $3.20/h" for a running workspace with a known rate; null otherwise. */
export function rateText(w: Pick<Workspace, 'state' | 'rate' | 'currency'>): string | null {
  if (w.state !== 'running' || w.rate == null || !w.currency) return null;
  return `≈ ${money(w.rate, w.currency)}/h`;
}

/** "$4.10 so far", or "≈ $4.10 so far (estimate)" when it rests on a guess. */
export function spentText(w: Pick<Workspace, 'spent' | 'currency' | 'spent_estimated'>): string | null {
  if (w.spent == null || !w.currency) return null;
  return w.spent_estimated ? `≈ ${money(w.spent, w.currency)} so far (estimate)` : `${money(w.spent, w.currency)} so far`;
}

/**
 * Spend grows with time between snapshots (the core sends one only when something shown
 * changes), so figures are carried forward at the running rate from when they arrived.
 */
export function spentNow(w: Pick<Workspace, 'state' | 'spent' | 'rate'>, since: number, now = Date.now()): number | null {
  if (w.spent == null) return null;
  if (w.state !== 'running' || w.rate == null) return w.spent;
  return w.spent + (w.rate * Math.max(0, now - since)) / 3_600_000;
}

/** The totals carried forward the same way (each unit at its rate per hour). */
export function totalsNow(t: Totals, since: number, now = Date.now()): Totals {
  const hours = Math.max(0, now - since) / 3_600_000;
  if (hours === 0) return t;
  return {
    ...t,
    spend: t.spend.map((s) => ({ ...s, today: s.today + s.per_hour * hours, week: s.week + s.per_hour * hours, month: s.month + s.per_hour * hours })),
  };
}

const SOURCES: Record<RateSource, string> = {
  vendor: 'Rate reported by the vendor',
  'your-rates': 'Rate from your rate table in Settings',
  unknown: 'No rate known: the vendor reports none and your rate table has no price for this hardware',
};

export function rateSourceText(source: RateSource): string {
  return SOURCES[source];
}

/** Short label beside a figure: where it came from. */
export function rateSourceLabel(source: RateSource): string {
  return source === 'vendor' ? 'vendor' : source === 'your-rates' ? 'your rates' : 'no rate';
}

/** "45 min", "1 h", "1 h 30 min", "2 d 3 h". */
export function duration(minutes: number): string {
  const m = Math.max(0, Math.round(minutes));
  if (m < 60) return `${m} min`;
  if (m < 24 * 60) {
    const h = Math.floor(m / 60);
    const rest = m % 60;
    return rest ? `${h} h ${rest} min` : `${h} h`;
  }
  const d = Math.floor(m / (24 * 60));
  const h = Math.floor((m % (24 * 60)) / 60);
  return h ? `${d} d ${h} h` : `${d} d`;
}

/**
 * When the vendor will stop it: a countdown where the vendor reports a time, else its idle rule.
 * Only while running (a stopped workspace has no deadline).
 */
export function deadlineText(w: Pick<Workspace, 'state' | 'stops_at' | 'idle_stop_minutes'>, now = Date.now()): string | null {
  if (w.state !== 'running') return null;
  if (w.stops_at) {
    const at = Date.parse(w.stops_at);
    if (!Number.isNaN(at)) {
      const mins = (at - now) / 60_000;
      return mins < 1 ? 'stops any moment now' : `stops in ${duration(Math.ceil(mins))}`;
    }
  }
  if (w.idle_stop_minutes != null && w.idle_stop_minutes > 0) return `stops when idle for ${duration(w.idle_stop_minutes)}`;
  return null;
}

/**
 * The header line's parts: "3 running", "9 GPUs", then per unit "≈ $14.20/h" and "today ≈ $61",
 * and how many running workspaces have no known rate.
 */
export function totalsParts(t: Totals): string[] {
  const parts = [`${t.running} running`];
  if (t.gpus > 0) parts.push(t.gpus === 1 ? '1 GPU' : `${t.gpus} GPUs`);
  for (const s of t.spend) {
    parts.push(`≈ ${money(s.per_hour, s.currency)}/h`);
    parts.push(`today ≈ ${money(s.today, s.currency, true)}${s.estimated ? ' (estimate)' : ''}`);
  }
  if (t.unpriced > 0) parts.push(`${t.unpriced} without a rate`);
  return parts;
}
