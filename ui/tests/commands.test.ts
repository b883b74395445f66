// The generated command table (bindings/commands.ts, from src-tauri/src/ipc.rs): each call
// reaches `invoke` under the Rust function's name, with its arguments named as Tauri expects.
import { describe, expect, it, vi } from 'vitest';
import { commands, type Invoke } from '../src/lib/bindings/commands';

describe('generated commands', () => {
  it('send arguments by their camelCase names, nulls included', async () => {
    const invoke = vi.fn<Invoke>(async () => null);
    await commands(invoke).editAccount('team', null, { region: 'eu' }, null);
    expect(invoke).toHaveBeenCalledWith('edit_account', { name: 'team', baseUrl: null, options: { region: 'eu' }, credentials: null });
  });

  it('send an empty argument object to commands that take none, and hand back the answer', async () => {
    const invoke = vi.fn<Invoke>(async () => ({ demo: true, version: '1' }));
    expect(await commands(invoke).appInfo()).toEqual({ demo: true, version: '1' });
    expect(invoke).toHaveBeenCalledWith('app_info', {});
  });
});
