// The details panel's pure parts: who caused a transition, and times as people read them.
import type { Cause } from './bindings/Cause';
import type { Transition } from './bindings/Transition';
import { stateLabel } from './format';

const CAUSES: Record<Cause, string> = { you: 'you', tray: 'the tray', policy: 'a policy', vendor: 'the vendor' };

export function causeLabel(c: Cause): string {
  return CAUSES[c];
}

/** "Running → Stopping, by the tray"; the first sighting has no "from". */
export function transitionText(t: Transition): string {
  const move = t.from ? `${stateLabel(t.from)} → ${stateLabel(t.to)}` : `first seen ${stateLabel(t.to)}`;
  return `${move}, by ${causeLabel(t.cause)}`;
}

/** A time as "2026-12-04 14:05" in local time, or "—". */
export function when(iso: string | null, tz?: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(d);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

/** The vendor's record as indented JSON, or a word when there is none. */
export function rawText(raw: unknown): string {
  if (raw == null) return 'The vendor gives no record for this workspace.';
  return JSON.stringify(raw, null, 2);
}
