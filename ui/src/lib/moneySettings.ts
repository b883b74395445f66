// The Settings money section as the form edits it (text in inputs) and back to Settings,
// checked on the way with the same rules the core keeps (cost/rates.rs: RateTable::validate,
// and budget.rs). Errors are keyed by the core's field names (`rates.currency`,
// `budgets.accounts.team.daily`, `auto_stop.gpu_max_hours`), except a GPU row's, which is keyed
// by its row (`rates.gpu.2.price`) so that a kind being typed still has its place.
import type { Settings } from './bindings/Settings';
import type { Limits } from './bindings/Limits';

export const MONEY_BOUNDS = {
  /** Per hour per GPU, core or GiB: more is a typo in any currency (the core's MAX_PRICE). */
  maxPrice: 1_000_000,
  maxGpuKinds: 200,
  maxKindChars: 64,
  /** A budget per day or month (the core takes any amount of zero or more). */
  maxBudget: 1_000_000_000,
  /** "Stop GPU workspaces that have run longer than N hours": whole hours (0 would stop a
   * workspace as it starts); beyond a year it means "never". */
  autoStopHours: { min: 1, max: 8760 },
} as const;

export type GpuRow = { kind: string; price: string };
export type AccountRow = { account: string; daily: string; monthly: string; gpuMaxHours: string };
export type MoneyForm = {
  currency: string;
  gpus: GpuRow[];
  cpu: string;
  memory: string;
  daily: string;
  monthly: string;
  gpuMaxHours: string;
  accounts: AccountRow[];
};

const text = (n: number | null | undefined) => (n == null ? '' : String(n));

/** The form for these settings, with a row for every account named (its own limits, if any). */
export function toMoneyForm(s: Settings, accountNames: string[]): MoneyForm {
  const names = [...new Set([...accountNames, ...Object.keys(s.budgets.accounts), ...Object.keys(s.auto_stop.accounts)])].sort();
  return {
    currency: s.rates.currency,
    gpus: Object.entries(s.rates.gpu_per_hour).map(([kind, price]) => ({ kind, price: String(price) })),
    cpu: text(s.rates.cpu_core_per_hour),
    memory: text(s.rates.memory_gib_per_hour),
    daily: text(s.budgets.all.daily),
    monthly: text(s.budgets.all.monthly),
    gpuMaxHours: text(s.auto_stop.gpu_max_hours),
    accounts: names.map((account) => ({
      account,
      daily: text(s.budgets.accounts[account]?.daily),
      monthly: text(s.budgets.accounts[account]?.monthly),
      gpuMaxHours: text(s.auto_stop.accounts[account]),
    })),
  };
}

type Errors = Record<string, string>;

/** Empty → null; else a number in [min, max], or an error under `field`. */
function amount(raw: string, field: string, label: string, errors: Errors, min: number, max: number, whole = false): number | null {
  const t = raw.trim();
  if (!t) return null;
  const n = Number(t);
  if (!Number.isFinite(n) || n < min || n > max || (whole && !Number.isInteger(n))) {
    errors[field] = `${label}: ${whole ? 'a whole number' : 'a number'} from ${min} to ${max.toLocaleString('en-US')}`;
    return null;
  }
  return n;
}

function limit(raw: string, field: string, label: string, errors: Errors): number | null {
  return amount(raw, field, label, errors, 0, MONEY_BOUNDS.maxBudget);
}

/**
 * The settings with the form's money section applied, or the errors by field. GPU rows left
 * wholly empty are dropped; accounts with no limit of their own are left out.
 */
export function fromMoneyForm(f: MoneyForm, base: Settings): { settings: Settings } | { errors: Errors } {
  const errors: Errors = {};
  const currency = f.currency.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) errors['rates.currency'] = `Currency: an ISO 4217 code of three letters, like USD or EUR`;

  const gpu_per_hour: Record<string, number> = {};
  const seen = new Map<string, number>();
  const rows = f.gpus.map((r, i) => ({ ...r, i })).filter((r) => r.kind.trim() || r.price.trim());
  if (rows.length > MONEY_BOUNDS.maxGpuKinds) errors['rates.gpu'] = `At most ${MONEY_BOUNDS.maxGpuKinds} GPU kinds`;
  for (const r of rows) {
    const kind = r.kind.trim();
    // eslint-disable-next-line no-control-regex
    if (!kind || [...kind].length > MONEY_BOUNDS.maxKindChars || /[\u0000-\u001f\u007f]/.test(kind)) {
      errors[`rates.gpu.${r.i}.kind`] = `GPU kind: a name of 1 to ${MONEY_BOUNDS.maxKindChars} characters, as the vendor spells it`;
      continue;
    }
    const twin = seen.get(kind.toLowerCase());
    if (twin != null) {
      errors[`rates.gpu.${r.i}.kind`] = `'${kind}' is listed twice (kinds match whatever their case)`;
      continue;
    }
    seen.set(kind.toLowerCase(), r.i);
    if (!r.price.trim()) {
      errors[`rates.gpu.${r.i}.price`] = `${kind}: a price per hour`;
      continue;
    }
    const p = amount(r.price, `rates.gpu.${r.i}.price`, kind, errors, 0, MONEY_BOUNDS.maxPrice);
    if (p != null) gpu_per_hour[kind] = p;
  }
  const cpu = amount(f.cpu, 'rates.cpu_core_per_hour', 'Per CPU core', errors, 0, MONEY_BOUNDS.maxPrice);
  const memory = amount(f.memory, 'rates.memory_gib_per_hour', 'Per GiB of memory', errors, 0, MONEY_BOUNDS.maxPrice);

  const all: Limits = { daily: limit(f.daily, 'budgets.all.daily', 'Daily budget', errors), monthly: limit(f.monthly, 'budgets.all.monthly', 'Monthly budget', errors) };
  const { min, max } = MONEY_BOUNDS.autoStopHours;
  const gpuMaxHours = amount(f.gpuMaxHours, 'auto_stop.gpu_max_hours', 'Stop GPU workspaces after', errors, min, max, true);
  const budgetAccounts: Record<string, Limits> = {};
  const stopAccounts: Record<string, number> = {};
  for (const a of f.accounts) {
    const daily = limit(a.daily, `budgets.accounts.${a.account}.daily`, `${a.account} daily`, errors);
    const monthly = limit(a.monthly, `budgets.accounts.${a.account}.monthly`, `${a.account} monthly`, errors);
    if (daily != null || monthly != null) budgetAccounts[a.account] = { daily, monthly };
    const hours = amount(a.gpuMaxHours, `auto_stop.accounts.${a.account}`, `${a.account} GPU hours`, errors, min, max, true);
    if (hours != null) stopAccounts[a.account] = hours;
  }
  if (Object.keys(errors).length) return { errors };
  return {
    settings: {
      ...base,
      rates: { currency, gpu_per_hour, cpu_core_per_hour: cpu, memory_gib_per_hour: memory },
      budgets: { all, accounts: budgetAccounts },
      auto_stop: { ...base.auto_stop, gpu_max_hours: gpuMaxHours, accounts: stopAccounts },
    },
  };
}

/**
 * Where an error the core names by field (`rates.gpu_per_hour.H100`) shows in the form:
 * a GPU kind's price on its row; every other field under its own name; null if not money's.
 */
export function formField(coreField: string | null, f: MoneyForm): string | null {
  if (!coreField || !/^(rates|budgets|auto_stop)(\.|$)/.test(coreField)) return null;
  const kind = coreField.match(/^rates\.gpu_per_hour\.(.+)$/)?.[1];
  if (kind == null) return coreField === 'rates.gpu_per_hour' ? 'rates.gpu' : coreField;
  const row = f.gpus.findIndex((r) => r.kind.trim().toLowerCase() === kind.toLowerCase());
  return row < 0 ? 'rates.gpu' : `rates.gpu.${row}.price`;
}
