// The bounds themselves come from the core (bindings/settingsDefaults.ts, generated from
// settings.rs); here is only how the inputs check a value against them before saving.
import type { Bounds } from './bindings/Bounds';

/** A whole number within `bounds`, or the message that says why not. */
export function wholeNumberError(label: string, raw: string | number | null, bounds: Bounds): string | null {
  // A bound number input hands over a number, or null while it is empty.
  const text = String(raw ?? '').trim();
  const n = Number(text);
  if (text === '' || !Number.isInteger(n) || n < bounds.min || n > bounds.max) {
    return `${label}: a whole number from ${bounds.min} to ${bounds.max}`;
  }
  return null;
}
