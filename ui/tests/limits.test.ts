import { describe, expect, it } from 'vitest';
import { wholeNumberError } from '../src/lib/limits';
import { settingsDefaults, settingsLimits } from '../src/lib/bindings/settingsDefaults';
import { optionLines, parseOptions } from '../src/lib/format';

describe('refresh bounds', () => {
  const limits = settingsLimits;

  it('hold the defaults the core starts with', () => {
    const { refresh, notifications } = settingsDefaults;
    expect(wholeNumberError('While changing', refresh.transitional_secs, limits.transitional_secs)).toBeNull();
    expect(wholeNumberError('When settled', refresh.settled_secs, limits.settled_secs)).toBeNull();
    expect(wholeNumberError('Reminder', notifications.gpu_reminder_minutes, limits.gpu_reminder_minutes)).toBeNull();
  });

  it('accept whole numbers inside and name the range otherwise', () => {
    const { min, max } = limits.transitional_secs;
    expect(wholeNumberError('While changing', min, limits.transitional_secs)).toBeNull();
    expect(wholeNumberError('While changing', String(max), limits.transitional_secs)).toBeNull();
    for (const bad of [min - 1, max + 1, min + 0.5, '', null, 'ten']) {
      expect(wholeNumberError('While changing', bad, limits.transitional_secs)).toBe(`While changing: a whole number from ${min} to ${max}`);
    }
  });
});

describe('account options', () => {
  it('read key=value lines, trimmed, skipping blank lines', () => {
    expect(parseOptions(' ssh_aliases = yes \n\npreview_port=8080=x')).toEqual({ options: { ssh_aliases: 'yes', preview_port: '8080=x' } });
  });

  it('refuse a line that is not key=value', () => {
    expect(parseOptions('ok=1\njust-a-word')).toEqual({ error: "Options: 'just-a-word' is not key=value" });
    expect(parseOptions('=value')).toEqual({ error: "Options: '=value' is not key=value" });
  });

  it('round-trip through the lines an edit form is prefilled with', () => {
    const options = { a: '1', b: 'x y' };
    expect(parseOptions(optionLines(options))).toEqual({ options });
  });
});
