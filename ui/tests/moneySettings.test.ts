import { describe, expect, it } from 'vitest';
import { formField, fromMoneyForm, toMoneyForm, type MoneyForm } from '../src/lib/moneySettings';
import { settingsDefaults } from '../src/lib/bindings/settingsDefaults';
import type { Settings } from '../src/lib/bindings/Settings';

const priced: Settings = {
  ...settingsDefaults,
  rates: { currency: 'EUR', gpu_per_hour: { 'A100-80GB': 2.5 }, cpu_core_per_hour: 0.02, memory_gib_per_hour: null },
  budgets: { all: { daily: 50, monthly: null }, accounts: { team: { daily: null, monthly: 900 } } },
  auto_stop: { gpu_max_hours: 8, accounts: {}, workspaces: { 'team/w1': 2 } },
};
const form = (over: Partial<MoneyForm> = {}): MoneyForm => ({ ...toMoneyForm(priced, ['team', 'solo']), ...over });
const errorsOf = (f: MoneyForm) => ('errors' in fromMoneyForm(f, priced) ? (fromMoneyForm(f, priced) as { errors: Record<string, string> }).errors : {});

describe('the money section of Settings', () => {
  it('round-trips settings through the form unchanged', () => {
    const out = fromMoneyForm(form(), priced);
    expect(out).toEqual({ settings: priced });
  });

  it('lists every account, with its own limits where it has them', () => {
    expect(form().accounts).toEqual([
      { account: 'solo', daily: '', monthly: '', gpuMaxHours: '' },
      { account: 'team', daily: '', monthly: '900', gpuMaxHours: '' },
    ]);
  });

  it('saves typed prices, upper-cases the currency, drops empty GPU rows', () => {
    const out = fromMoneyForm(form({ currency: 'usd', gpus: [{ kind: ' h100 ', price: '2.49' }, { kind: '', price: '' }], memory: '0.005' }), priced);
    expect('settings' in out && out.settings.rates).toEqual({ currency: 'USD', gpu_per_hour: { h100: 2.49 }, cpu_core_per_hour: 0.02, memory_gib_per_hour: 0.005 });
  });

  it('keeps per-workspace auto-stop it does not edit', () => {
    const out = fromMoneyForm(form({ gpuMaxHours: '' }), priced);
    expect('settings' in out && out.settings.auto_stop).toEqual({ gpu_max_hours: null, accounts: {}, workspaces: { 'team/w1': 2 } });
  });

  it('refuses each bad value on its own field, with the bound', () => {
    const errors = errorsOf(form({
      currency: 'dollars',
      gpus: [{ kind: 'a10', price: '-1' }, { kind: 'A10', price: '1' }, { kind: 'h100', price: '' }],
      cpu: 'cheap',
      memory: '2000000',
      daily: '-5',
      gpuMaxHours: '1.5',
    }));
    expect(errors['rates.currency']).toMatch(/ISO 4217/);
    expect(errors['rates.gpu.0.price']).toMatch(/from 0 to 1,000,000/);
    expect(errors['rates.gpu.1.kind']).toMatch(/listed twice/);
    expect(errors['rates.gpu.2.price']).toMatch(/a price per hour/);
    expect(errors['rates.cpu_core_per_hour']).toMatch(/Per CPU core: a number/);
    expect(errors['rates.memory_gib_per_hour']).toMatch(/from 0 to 1,000,000/);
    expect(errors['budgets.all.daily']).toMatch(/Daily budget: a number from 0/);
    expect(errors['auto_stop.gpu_max_hours']).toMatch(/a whole number from 1 to 8,760/);
  });

  it('refuses a bad per-account limit on that account’s field', () => {
    const f = form();
    f.accounts[0].gpuMaxHours = '9999';
    f.accounts[1].daily = 'x';
    const errors = errorsOf(f);
    expect(Object.keys(errors).sort()).toEqual(['auto_stop.accounts.solo', 'budgets.accounts.team.daily']);
  });

  it('takes a zero budget, as the core does, and refuses zero auto-stop hours', () => {
    expect(errorsOf(form({ daily: '0' }))).toEqual({});
    expect(Object.keys(errorsOf(form({ gpuMaxHours: '0' })))).toEqual(['auto_stop.gpu_max_hours']);
  });

  it('puts an error the core names by field on the form’s field', () => {
    const f = form({ gpus: [{ kind: 'a10', price: '1' }, { kind: 'H100', price: '2' }] });
    expect(formField('rates.gpu_per_hour.h100', f)).toBe('rates.gpu.1.price');
    expect(formField('rates.gpu_per_hour.l4', f)).toBe('rates.gpu');
    expect(formField('budgets.accounts.team.daily', f)).toBe('budgets.accounts.team.daily');
    expect(formField('auto_stop.gpu_max_hours', f)).toBe('auto_stop.gpu_max_hours');
    expect(formField('refresh.settled_secs', f)).toBeNull();
    expect(formField(null, f)).toBeNull();
  });
});
