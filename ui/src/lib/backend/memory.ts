// An in-memory backend for running the real UI in a plain browser (Playwright tests and
// `vite dev`). It stands in for the Rust core, which cannot run inside a browser; the
// desktop app never loads it. Query options: `?empty` (no workspaces), `?fail` (one account
// fails to refresh), `?slow` (the first snapshot arrives late, so the cached cards show),
// `?many=N` (N generated workspaces instead, for tests/bench), `?real` (the accounts are the
// user's own, not demo clouds), `?teams` (a second account, on another provider), `?credits`
// (an Anyscale account, priced by its vendor in credits, with an idle countdown). A base URL
// on refused.example.test answers 401; the VS Code link of ml-research · c3d4e5f6 needs an
// SSH alias, so it asks about `~/.ssh/config` first. Money: the demo's rate table prices the
// Aether workspaces ("your rates"); exalsius reports its own ("vendor"). Each workspace keeps a
// timeline of its transitions with who caused them; `globalThis.__hangarTray(id, action)` acts
// as the tray would, for tests.
import { BackendError, type Backend } from './index';
import type { Account } from '../bindings/Account';
import type { Action } from '../bindings/Action';
import type { ErrorCode } from '../bindings/ErrorCode';
import { ErrorCodes } from '../bindings/errorCodes';
import { isTransitional } from '../format';
import type { Form } from '../bindings/Form';
import type { ForwardInfo } from '../bindings/ForwardInfo';
import type { Link } from '../bindings/Link';
import type { LinkKind } from '../bindings/LinkKind';
import type { ProviderInfo } from '../bindings/ProviderInfo';
import type { Settings } from '../bindings/Settings';
import { settingsDefaults } from '../bindings/settingsDefaults';
import type { Snapshot } from '../bindings/Snapshot';
import type { StateChange } from '../bindings/StateChange';
import type { Cause } from '../bindings/Cause';
import type { Totals } from '../bindings/Totals';
import type { Transition } from '../bindings/Transition';
import type { WorkspaceDetails } from '../bindings/WorkspaceDetails';
import type { Workspace } from '../bindings/Workspace';
import type { WorkspaceState } from '../bindings/WorkspaceState';

const params = new URLSearchParams(globalThis.location?.search ?? '');
const STEP_MS = Number(params.get('step') ?? 800);
const NEEDS_SSH_ALIAS = 'c3d4e5f6-0002';

const fail = (code: ErrorCode, message: string, field: string | null = null) => new BackendError({ code, message, field, retry_after_secs: null });
const invalid = (field: string, message: string) => fail(ErrorCodes.InvalidInput, message, field);

/** The core's base URL rule: https, or http to this computer. */
function checkBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid('base_url', `base URL '${text}' is not a valid URL`);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw invalid('base_url', `base URL '${text}' must start with https://`);
  return text.replace(/\/+$/, '');
}

function ws(id: string, name: string, state: WorkspaceState, gpu: string | null, cpus: number, mem: number, days: number): Workspace {
  const running = state === 'running';
  return {
    account: 'demo-aether',
    provider: 'aether',
    id,
    name,
    state,
    raw_state: state === 'pending' ? 'creating' : state,
    hardware: { label: gpu ? `GPU ${gpu}` : `${cpus} shared CPU · ${mem} GB`, cpus: gpu ? null : cpus, memory_gb: gpu ? null : mem, gpu: gpu ? { kind: gpu, count: 1 } : null },
    created_at: new Date(Date.now() - days * 86400_000 - 3 * 3600_000).toISOString(),
    links: running
      ? [
          { kind: 'browser', url: `https://3000-${id.slice(0, 8)}.preview.example.test/`, label: 'Preview :3000' },
          { kind: 'vscode', url: `vscode://vscode-remote/ssh-remote+hangar-${id.slice(0, 8)}/home/dev`, label: null, ssh_alias: `hangar-${id.slice(0, 8)}` },
          { kind: 'ssh', url: `ssh://dev@${id.slice(0, 8)}.example.test:2222`, label: null },
        ]
      : [],
    actions: actionsFor(state),
    details: { project: name.split(' · ')[0] },
    error: null,
    started_at: null, rate: null, currency: null, rate_source: 'unknown', spent: null, spent_estimated: false, stops_at: null, idle_stop_minutes: null,
  };
}

function actionsFor(state: WorkspaceState): Workspace['actions'] {
  if (state === 'running') return ['stop', 'delete'];
  if (state === 'stopped') return ['start', 'update', 'delete'];
  if (state === 'errored') return ['start', 'delete'];
  if (state === 'pending') return ['delete'];
  return [];
}

/** The demo's own prices: what a user would have typed into Settings. */
const DEMO_RATES: Settings['rates'] = { currency: 'USD', gpu_per_hour: { 'a100-40gb': 1.29, a10: 0.75, h100: 2.49 }, cpu_core_per_hour: 0.02, memory_gib_per_hour: 0.005 };
/** exalsius reports its own `costs_per_hour`: these stand in for it. */
const VENDOR_RATES: Record<string, { rate: number; currency: string }> = {
  'e1f2a3b4-0004': { rate: 2.19, currency: 'USD' },
  // Anyscale's `anyscale_credits_per_hour`, head plus workers.
  'ses_7x2k9qfm': { rate: 4.5, currency: 'credits' },
};

/** A rate from the user's table, priced whole or not at all (as the core does). */
function yourRate(w: Workspace, rates: Settings['rates']): number | null {
  const { gpu, cpus, memory_gb } = w.hardware;
  if (!gpu && cpus == null && memory_gb == null) return null;
  let total = 0;
  if (gpu) {
    const price = Object.entries(rates.gpu_per_hour).find(([k]) => k.toLowerCase() === gpu.kind.toLowerCase())?.[1];
    if (price == null) return null;
    total += price * gpu.count;
  }
  for (const [amount, price] of [[cpus, rates.cpu_core_per_hour], [memory_gb, rates.memory_gib_per_hour]] as const) {
    if (amount == null) continue;
    if (price == null) return null;
    total += amount * price;
  }
  return total;
}

function startOfDay(now: number): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

export function memoryBackend(): Backend {
  let workspaces: Workspace[] = params.has('empty')
    ? []
    : [
        ws('b2c3d4e5-0001', 'web-app · b2c3d4e5', 'running', null, 2, 2, 0),
        ws('c3d4e5f6-0002', 'ml-research · c3d4e5f6', 'running', 'a100-40gb', 8, 32, 2),
        ws('d4e5f6a7-0003', 'web-app · d4e5f6a7', 'stopped', null, 4, 8, 9),
      ];
  const many = Number(params.get('many') ?? 0);
  if (many > 0) {
    workspaces = Array.from({ length: many }, (_, i) =>
      ws(`${i.toString(16).padStart(8, '0')}-bench`, `${i % 2 ? 'web-app' : 'ml-research'} · w${i}`, i % 3 ? 'stopped' : 'running', i % 5 ? null : 'a10', 2, 4, i % 30));
  }
  const accounts: Account[] = [{ name: 'demo-aether', provider: 'aether', base_url: 'http://127.0.0.1:1', options: {} }];
  if (params.has('teams')) {
    accounts.push({ name: 'team-exalsius', provider: 'exalsius', base_url: null, options: {} });
    for (const [id, name, state] of [['e1f2a3b4-0004', 'vision-train', 'running'], ['f2a3b4c5-0005', 'notebook', 'stopped']] as const) {
      workspaces.push({ ...ws(id, name, state, state === 'running' ? 'h100' : null, 4, 16, 1), account: 'team-exalsius', provider: 'exalsius' });
    }
  }
  if (params.has('credits')) {
    accounts.push({ name: 'ml-anyscale', provider: 'anyscale', base_url: null, options: {} });
    workspaces.push({ ...ws('ses_7x2k9qfm', 'fine-tune', 'running', 'a10g', 8, 32, 0), account: 'ml-anyscale', provider: 'anyscale', hardware: { label: 'head + 2 × g5.xlarge', cpus: null, memory_gb: null, gpu: { kind: 'a10g', count: 2 } } });
  }
  if (params.has('fail')) accounts.push({ name: 'team-cloud', provider: 'aether', base_url: 'https://api.example.test', options: {} });
  const now = Date.now();
  /** When each running workspace last started, and the demo's deadlines. */
  const startedAt = new Map<string, number>([['b2c3d4e5-0001', now - 3 * 3600_000 + 90_000], ['c3d4e5f6-0002', now - 2 * 3600_000 - 10 * 60_000], ['e1f2a3b4-0004', now - 5 * 3600_000], ['ses_7x2k9qfm', now - 95 * 60_000]]);
  const deadlines = new Map<string, Pick<Workspace, 'stops_at' | 'idle_stop_minutes'>>([
    ['b2c3d4e5-0001', { stops_at: null, idle_stop_minutes: 10 }],
    ['c3d4e5f6-0002', { stops_at: new Date(now + 47 * 60_000).toISOString(), idle_stop_minutes: 30 }],
    // `idle_time_remaining_seconds` of an Anyscale cluster with a 2 h idle timeout.
    ['ses_7x2k9qfm', { stops_at: new Date(now + 118 * 60_000).toISOString(), idle_stop_minutes: 120 }],
  ]);
  const timelines = new Map<string, Transition[]>();
  const record = (id: string, from: WorkspaceState | null, to: WorkspaceState, cause: Cause, at = Date.now()) => {
    const list = timelines.get(id) ?? [];
    list.push({ at: new Date(at).toISOString(), from, to, cause });
    timelines.set(id, list.slice(-50));
  };
  for (const w of workspaces) {
    const created = Date.parse(w.created_at ?? '') || now - 86400_000;
    record(w.id, null, 'pending', 'you', created);
    record(w.id, 'pending', 'running', 'vendor', created + 90_000);
    if (w.state === 'stopped') record(w.id, 'running', 'stopped', 'vendor', created + 3600_000);
    else if (w.state === 'running' && (startedAt.get(w.id) ?? 0) - created > 2 * 3600_000) {
      // Stopped once by a policy, started again by the user.
      const started = startedAt.get(w.id)!;
      record(w.id, 'running', 'stopping', 'policy', (created + started) / 2);
      record(w.id, 'stopping', 'stopped', 'policy', (created + started) / 2 + 40_000);
      record(w.id, 'stopped', 'starting', 'you', started - 60_000);
      record(w.id, 'starting', 'running', 'you', started);
    }
  }
  /** Who caused the transition in flight, for the steps that follow it. */
  const causes = new Map<string, Cause>();

  const priced = (w: Workspace): Workspace => {
    const vendor = VENDOR_RATES[w.id];
    const running = w.state === 'running';
    const rate = vendor?.rate ?? yourRate(w, settings.rates);
    const since = startedAt.get(w.id);
    const out: Workspace = { ...w, started_at: since ? new Date(since).toISOString() : null, stops_at: null, idle_stop_minutes: null };
    if (rate == null) return { ...out, rate: null, currency: null, rate_source: 'unknown', spent: null };
    out.rate = running ? rate : 0;
    out.currency = vendor?.currency ?? settings.rates.currency;
    out.rate_source = vendor != null ? 'vendor' : 'your-rates';
    out.spent = running && since ? (rate * (Date.now() - since)) / 3600_000 : null;
    out.spent_estimated = vendor == null && w.id === 'c3d4e5f6-0002';
    if (running) Object.assign(out, deadlines.get(w.id) ?? { stops_at: null, idle_stop_minutes: w.provider === 'aether' ? 10 : null });
    return out;
  };
  const totals = (list: Workspace[]): Totals => {
    const running = list.filter((w) => w.state === 'running');
    const spend = new Map<string, Totals['spend'][number]>();
    const accounts: Totals['accounts'] = {};
    const today = startOfDay(Date.now());
    for (const w of running) {
      if (w.rate == null || !w.currency) continue;
      const since = Math.max(startedAt.get(w.id) ?? Date.now(), today);
      const spentToday = (w.rate * (Date.now() - since)) / 3600_000;
      const add = (s: Totals['spend'][number] | undefined) => {
        const out = s ?? { currency: w.currency!, per_hour: 0, today: 0, week: 0, month: 0, estimated: false };
        out.per_hour += w.rate!;
        out.today += spentToday;
        out.week += w.spent ?? 0;
        out.month += w.spent ?? 0;
        out.estimated ||= w.spent_estimated;
        return out;
      };
      spend.set(w.currency, add(spend.get(w.currency)));
      accounts[w.account] = add(accounts[w.account]);
    }
    return {
      running: running.length,
      gpus: running.reduce((n, w) => n + (w.hardware.gpu?.count ?? 0), 0),
      unpriced: running.filter((w) => w.rate == null).length,
      spend: [...spend.values()],
      accounts,
    };
  };
  const snapListeners = new Set<(s: Snapshot) => void>();
  const changeListeners = new Set<(c: StateChange) => void>();
  const settingsListeners = new Set<(s: Settings) => void>();
  let stale = true;

  const snapshot = (): Snapshot => {
    const list = workspaces.map(priced);
    return {
    workspaces: structuredClone(list),
    failures: params.has('fail')
      ? [{ account: 'team-cloud', error: { code: ErrorCodes.Unauthorized, message: 'Aether (GET /workspaces) answered 401 Unauthorized: Unauthorized', field: null, retry_after_secs: null } }]
      : [],
    accounts: accounts.map((a) => ({ account: a.name, last_success: a.name === 'team-cloud' ? null : new Date().toISOString(), paused: a.name === 'team-cloud' })),
    stale,
    refreshed_at: stale ? null : new Date().toISOString(),
    totals: totals(list),
    };
  };
  let settings: Settings = { ...structuredClone(settingsDefaults), rates: structuredClone(DEMO_RATES) };
  const updateForm: Form = {
    fields: [
      { key: 'cpus', label: 'CPUs', kind: 'choice', required: true, choices: ['1', '2', '4', '8'].map((c) => ({ value: c, label: `${c} vCPU`, detail: null })), min: null, max: null, default: '2', help: null, group: 'hardware', secret: false },
      { key: 'volume_size_gb', label: 'Disk (GB)', kind: 'number', required: false, choices: null, min: 1, max: 500, default: null, help: 'Disks only grow', group: 'hardware', secret: false },
    ],
  };
  const publish = () => snapListeners.forEach((cb) => cb(snapshot()));
  const move = (id: string, to: WorkspaceState, raw: string) => {
    const w = workspaces.find((w) => w.id === id);
    if (!w) return;
    const from = w.state;
    const cause = causes.get(id) ?? 'vendor';
    record(id, from, to, cause);
    if (!isTransitional(to)) causes.delete(id);
    if (to === 'running') startedAt.set(id, Date.now());
    else startedAt.delete(id);
    Object.assign(w, ws(w.id, w.name, to, w.hardware.gpu?.kind ?? null, w.hardware.cpus ?? 2, w.hardware.memory_gb ?? 2, 0), { account: w.account, provider: w.provider, created_at: w.created_at, raw_state: raw });
    changeListeners.forEach((cb) => cb({ account: w.account, id, name: w.name, from, to, raw_state: raw, reason: null, gpu: !!w.hardware.gpu, at: new Date().toISOString() }));
    publish();
  };
  const find = (id: string) => {
    const w = workspaces.find((w) => w.id === id);
    if (!w) throw fail(ErrorCodes.NotFound, `workspace ${id} not found`);
    return w;
  };
  const act = async (id: string, action: Action, cause: Cause) => {
    const w = find(id);
    if (action === 'stop') {
      if (w.state !== 'running') throw fail(ErrorCodes.Conflict, 'Workspace is not in a stoppable state');
      causes.set(id, cause);
      move(id, 'stopping', 'stopping');
      setTimeout(() => move(id, 'stopped', 'stopped'), STEP_MS);
    } else if (action === 'start') {
      causes.set(id, cause);
      move(id, 'starting', 'starting');
      setTimeout(() => move(id, 'running', 'running'), STEP_MS);
    } else if (action === 'delete') {
      workspaces = workspaces.filter((x) => x.id !== id);
      publish();
    }
  };
  (globalThis as Record<string, unknown>).__hangarTray = (id: string, action: Action) => act(id, action, 'tray');
  const opened: string[] = [];
  const forwards: ForwardInfo[] = [];
  let forwardIds = 0;
  (globalThis as Record<string, unknown>).__hangarOpened = opened;
  setTimeout(() => { stale = false; publish(); }, params.has('slow') ? 1500 : 50);

  const providers: ProviderInfo[] = [
    { id: 'aether', display_name: 'Aether', default_base_url: 'https://api.runaether.dev', base_url_required: false, has_names: false,
      browser_sign_in: false, credential_fields: [{ key: 'token', label: 'API key or access token', secret: true, required: true }] },
    { id: 'exalsius', display_name: 'exalsius', default_base_url: 'https://api.exalsius.ai', base_url_required: false, has_names: true, browser_sign_in: true,
      credential_fields: [{ key: 'access_token', label: 'Access token', secret: true, required: true }, { key: 'refresh_token', label: 'Refresh token', secret: true, required: false }] },
  ];
  const form: Form = {
    fields: [
      { key: 'project', label: 'Project', kind: 'choice', required: true, choices: [{ value: 'p1', label: 'web-app', detail: null }, { value: 'p2', label: 'ml-research', detail: null }], min: null, max: null, default: 'p1', help: null, group: null, secret: false },
      { key: 'gpu_kind', label: 'GPU', kind: 'choice', required: false, choices: [{ value: 'none', label: 'No GPU', detail: null }, { value: 'a10', label: 'A10', detail: '1 × 24 GB GPU memory' }, { value: 'a100-80gb', label: 'A100-80GB', detail: '1 × 80 GB GPU memory' }], min: null, max: null, default: 'none', help: null, group: 'hardware', secret: false },
      { key: 'cpus', label: 'CPUs', kind: 'choice', required: false, choices: ['1', '2', '4', '8'].map((c) => ({ value: c, label: `${c} vCPU`, detail: null })), min: null, max: null, default: '2', help: null, group: 'hardware', secret: false },
      { key: 'volume_size_gb', label: 'Disk (GB)', kind: 'number', required: false, choices: null, min: 1, max: 500, default: '10', help: null, group: 'hardware', secret: false },
      { key: 'keep_active', label: 'Keep running when idle', kind: 'bool', required: false, choices: null, min: null, max: null, default: 'false', help: null, group: null, secret: false },
    ],
  };

  return {
    appInfo: async () => ({ demo: !params.has('real'), version: 'browser' }),
    snapshot: async () => snapshot(),
    refresh: async () => publish(),
    providers: async () => providers,
    accounts: async () => structuredClone(accounts),
    addAccount: async (a) => {
      if (!a.name.trim()) throw fail(ErrorCodes.InvalidInput, 'account name must not be empty', 'name');
      if (accounts.some((x) => x.name === a.name)) throw fail(ErrorCodes.Conflict, `an account named '${a.name}' exists already`, 'name');
      if (a.credentials.token !== 'good-token') throw fail(ErrorCodes.Unauthorized, `account '${a.name}' was not added: answered 401 Unauthorized`);
      accounts.push({ name: a.name, provider: a.provider, base_url: a.base_url, options: a.options });
    },
    signInAccount: async (a) => {
      if (accounts.some((x) => x.name === a.name)) throw fail(ErrorCodes.Conflict, `an account named '${a.name}' exists already`, 'name');
      accounts.push({ name: a.name, provider: a.provider, base_url: a.base_url, options: a.options });
    },
    signInAgain: async () => {},
    signOut: async () => null,
    editAccount: async (name, baseUrl, options, credentials) => {
      const a = accounts.find((x) => x.name === name);
      if (!a) throw fail(ErrorCodes.NotFound, `no account named '${name}'`);
      const url = baseUrl?.trim() ? checkBaseUrl(baseUrl.trim()) : null;
      const origin = (u: string | null) => (u ? new URL(u).origin : null);
      if (origin(url) !== origin(a.base_url) && !credentials)
        throw fail(ErrorCodes.InvalidInput, `account '${name}' would now talk to ${origin(url) ?? 'its default address'}; enter its credentials again (Hangar never sends the stored ones to another address)`, 'credentials');
      if (url && new URL(url).hostname === 'refused.example.test')
        throw fail(ErrorCodes.Unauthorized, `account '${name}' was not changed: answered 401 Unauthorized`);
      Object.assign(a, { base_url: url, options: { ...options } });
    },
    changeCredentials: async (name, credentials) => {
      const a = accounts.find((x) => x.name === name);
      if (!a) throw fail(ErrorCodes.NotFound, `no account named '${name}'`);
      const [key, value] = Object.entries(credentials)[0] ?? ['token', ''];
      if (!value.trim()) throw fail(ErrorCodes.InvalidInput, `${key} is required`, key);
      if (value.includes('wrong'))
        throw fail(ErrorCodes.Unauthorized, `account '${name}' keeps its old credentials: answered 401 Unauthorized`);
    },
    sshInclude: async () => ({ line: 'Include "/home/you/.ssh/hangar/config"', file: '/home/you/.ssh/config' }),
    removeAccount: async (name) => {
      accounts.splice(accounts.findIndex((a) => a.name === name), 1);
      workspaces = workspaces.filter((w) => w.account !== name);
      publish();
    },
    testAccount: async () => {},
    createForm: async () => structuredClone(form),
    createWorkspace: async (account, name, values) => {
      const id = Math.random().toString(16).slice(2, 10) + '-new';
      const gpu = values.gpu_kind && values.gpu_kind !== 'none' ? values.gpu_kind : null;
      const w = ws(id, `${name} (web-app · ${id.slice(0, 8)})`, 'pending', gpu, Number(values.cpus ?? 2), 2, 0);
      w.account = account;
      workspaces.push(w);
      record(id, null, 'pending', 'you');
      causes.set(id, 'you');
      publish();
      setTimeout(() => move(id, 'running', 'running'), STEP_MS * 2);
      return structuredClone(w);
    },
    workspaceAction: async (_account, id, action) => act(id, action, 'you'),
    workspaceDetails: async (account, id) => {
      const w = priced(find(id));
      if (w.account !== account) throw fail(ErrorCodes.NotFound, `workspace ${id} not found in account '${account}'`);
      const alias = w.links.find((l) => l.kind === 'vscode') ? `hangar-${id.slice(0, 8)}` : null;
      const since = Math.max(startedAt.get(id) ?? Date.now(), startOfDay(Date.now()));
      const details: WorkspaceDetails = {
        ...w,
        timeline: structuredClone(timelines.get(id) ?? []),
        ssh_alias: alias,
        ssh_command: alias ? `ssh ${alias}` : null,
        spent_today: w.rate == null ? null : (w.rate * (Date.now() - since)) / 3600_000,
        spent_week: w.rate == null ? null : (w.spent ?? 0) + (w.hardware.gpu ? 9.4 : 0.31),
        // The vendor's record as Aether sends it, its preview token removed.
        raw: {
          id: w.id, project_id: 'a1b2c3d4-5678-90ab-cdef-1234567890ab', status: w.raw_state,
          hardware: { cpu_kind: w.hardware.gpu ? 'performance' : 'shared', cpus: w.hardware.cpus ?? 8, memory_mb: (w.hardware.memory_gb ?? 32) * 1024, volume_size_gb: 10, gpu_kind: w.hardware.gpu?.kind ?? null },
          keep_active: false, machine_id: w.state === 'running' ? 'd8901234abcd' : null, git_ref: 'main', error_message: w.error, created_at: w.created_at,
        },
      };
      return details;
    },
    openWorkspace: async (_account, id, kind) => {
      const link = find(id).links.find((l) => l.kind === kind) ?? ideLink(find(id), kind);
      if (!link) throw fail(ErrorCodes.Conflict, 'no link yet: the workspace is not running');
      if (id === NEEDS_SSH_ALIAS && kind !== 'browser' && settings.ssh_include === 'ask')
        throw fail(ErrorCodes.ConsentNeeded, "Hangar would add 'Include ~/.ssh/hangar/config' to ~/.ssh/config");
      opened.push(link.url);
      return link.url;
    },
    updateForm: async () => structuredClone(updateForm),
    updateWorkspace: async (_account, id, values) => {
      const w = find(id);
      if (w.state !== 'stopped') throw fail(ErrorCodes.Conflict, 'resources change only while stopped');
      w.hardware.cpus = Number(values.cpus ?? w.hardware.cpus);
      w.hardware.label = `${w.hardware.cpus} shared CPU · ${w.hardware.memory_gb} GB`;
      publish();
    },
    settings: async () => structuredClone(settings),
    saveSettings: async (s) => {
      settings = structuredClone(s);
      settingsListeners.forEach((cb) => cb(structuredClone(settings)));
      publish(); // the user's rates price the cards
    },
    onSnapshot: (cb) => { snapListeners.add(cb); return () => snapListeners.delete(cb); },
    // The demo has no poll of its own: every change comes as a snapshot.
    onRefreshed: () => () => {},
    onStateChange: (cb) => { changeListeners.add(cb); return () => changeListeners.delete(cb); },
    onSettings: (cb) => { settingsListeners.add(cb); return () => settingsListeners.delete(cb); },
    onSessionChanged: () => () => {},
    onFocusRequest: (cb) => {
      const link = params.get('link');
      if (link) setTimeout(() => {
        const u = new URL(link);
        const account = u.searchParams.get('account');
        const workspace = u.searchParams.get('workspace');
        if (account && workspace) cb({ account, workspace });
      }, 300);
      return () => {};
    },
    onNotice: () => () => {},
    takePendingLink: async () => {},
    // The core finds these on PATH or as URL handlers; the demo has a fixed few.
    installedIdes: async () => [
      { kind: 'vscode', name: 'VS Code' },
      { kind: 'cursor', name: 'Cursor' },
      { kind: 'zed', name: 'Zed' },
      { kind: 'jetbrains', name: 'JetBrains Gateway' },
    ],
    // Forwards answer with a made-up local port; nothing listens there.
    startForward: async (account, id, remotePort, localPort) => {
      const w = find(id);
      if (w.state !== 'running') throw fail(ErrorCodes.Conflict, `workspace '${w.name}' is ${w.state}; SSH opens once it is running`);
      if (remotePort === 1) throw fail(ErrorCodes.Unavailable, "ssh could not forward port 1: channel 2: open failed: connect failed: Connection refused");
      const local = localPort ?? 40000 + forwards.length;
      const f = { id: ++forwardIds, account, workspace_id: id, remote_port: remotePort, local_port: local, url: `http://127.0.0.1:${local}` };
      forwards.push(f);
      return structuredClone(f);
    },
    stopForward: async (id) => {
      const i = forwards.findIndex((f) => f.id === id);
      if (i < 0) throw fail(ErrorCodes.NotFound, `no port forward ${id}`);
      forwards.splice(i, 1);
    },
    forwards: async () => structuredClone(forwards.filter((f) => workspaces.some((w) => w.id === f.workspace_id && w.state === 'running'))),
    openForward: async (id) => {
      const f = forwards.find((x) => x.id === id);
      if (!f) throw fail(ErrorCodes.NotFound, `no port forward ${id}`);
      opened.push(f.url);
      return f.url;
    },
  };
}

/** What the core builds for an IDE from the workspace's SSH alias link (ide.rs). */
function ideLink(w: Workspace, kind: LinkKind): Link | undefined {
  const base = w.links.find((l) => l.ssh_alias && l.url.startsWith('vscode://vscode-remote/ssh-remote+'));
  if (!base?.ssh_alias) return undefined;
  const dir = base.url.slice(`vscode://vscode-remote/ssh-remote+${base.ssh_alias}`.length);
  const alias = base.ssh_alias;
  const url: Partial<Record<LinkKind, string>> = {
    'vscode-insiders': `vscode-insiders://vscode-remote/ssh-remote+${alias}${dir}`,
    cursor: `cursor://vscode-remote/ssh-remote+${alias}${dir}`,
    windsurf: `windsurf://vscode-remote/ssh-remote+${alias}${dir}`,
    zed: `zed://ssh/${alias}${dir}`,
    jetbrains: `jetbrains-gateway://connect#type=ssh&host=${alias}&projectPath=${encodeURIComponent(dir)}`,
  };
  return url[kind] ? { kind, url: url[kind], label: base.label, ssh_alias: alias } : undefined;
}
