// Bounds the core enforces on saved settings (src-tauri/core/src/settings.rs; a unit test
// keeps the two in step), shown beside the inputs and checked before saving.
export const TRANSITIONAL_SECS = { min: 2, max: 30 } as const;
export const SETTLED_SECS = { min: 30, max: 3600 } as const;
export const GPU_REMINDER_MINUTES = { min: 10, max: 10080 } as const;

/** A whole number within `bounds`, or the message that says why not. */
export function wholeNumberError(label: string, raw: string | number | null, bounds: { min: number; max: number }): string | null {
  // A bound number input hands over a number, or null while it is empty.
  const text = String(raw ?? '').trim();
  const n = Number(text);
  if (text === '' || !Number.isInteger(n) || n < bounds.min || n > bounds.max) {
    return `${label}: a whole number from ${bounds.min} to ${bounds.max}`;
  }
  return null;
}
