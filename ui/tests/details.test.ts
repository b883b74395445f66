import { describe, expect, it } from 'vitest';
import { causeLabel, rawText, transitionText, when } from '../src/lib/details';

describe('details panel text', () => {
  it('names every cause as a person reads it', () => {
    expect(['you', 'tray', 'policy', 'vendor'].map((c) => causeLabel(c as never))).toEqual(['you', 'the tray', 'a policy', 'the vendor']);
  });
  it('writes a transition with its cause, and a first sighting without a from', () => {
    expect(transitionText({ at: '2026-12-04T10:00:00Z', from: 'running', to: 'stopping', cause: 'tray' })).toBe('Running → Stopping, by the tray');
    expect(transitionText({ at: '2026-12-04T10:00:00Z', from: null, to: 'running', cause: 'vendor' })).toBe('first seen Running, by the vendor');
  });
  it('writes times as date and 24-hour clock, and a dash for none or garbage', () => {
    expect(when('2026-12-04T09:05:00Z', 'UTC')).toBe('2026-12-04 09:05');
    expect(when(null)).toBe('—');
    expect(when('yesterday')).toBe('—');
  });
  it('shows the raw record as indented JSON, or says there is none', () => {
    expect(rawText({ id: 'w1', status: 'running' })).toBe('{\n  "id": "w1",\n  "status": "running"\n}');
    expect(rawText(null)).toMatch(/no record/);
  });
});
