import { describe, expect, it } from 'vitest';
import { SETTLED_SECS, TRANSITIONAL_SECS, wholeNumberError } from '../src/lib/limits';
import { optionLines, parseOptions } from '../src/lib/format';
import rust from '../../src-tauri/core/src/settings.rs?raw';

describe('refresh bounds', () => {
  it('are the ones the core enforces', () => {
    const bounds = (name: string) => {
      const m = rust.match(new RegExp(`${name}: \\(u32, u32\\) = \\((\\d+), (\\d+)\\)`));
      expect(m, `${name} in settings.rs`).not.toBeNull();
      return { min: Number(m![1]), max: Number(m![2]) };
    };
    expect(bounds('TRANSITIONAL_BOUNDS')).toEqual(TRANSITIONAL_SECS);
    expect(bounds('SETTLED_BOUNDS')).toEqual(SETTLED_SECS);
  });

  it('accept whole numbers inside and name the range otherwise', () => {
    expect(wholeNumberError('While changing', 2, TRANSITIONAL_SECS)).toBeNull();
    expect(wholeNumberError('While changing', '30', TRANSITIONAL_SECS)).toBeNull();
    for (const bad of [1, 31, 2.5, '', null, 'ten']) {
      expect(wholeNumberError('While changing', bad, TRANSITIONAL_SECS)).toBe('While changing: a whole number from 2 to 30');
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
