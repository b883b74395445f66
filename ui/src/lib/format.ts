// Pure display helpers: no state, no backend, tested with vitest.
import type { FormField } from './bindings/FormField';
import type { Workspace } from './bindings/Workspace';
import type { WorkspaceState } from './bindings/WorkspaceState';

export function age(createdAt: string | null, now = Date.now()): string {
  if (!createdAt) return '—';
  const secs = Math.max(0, Math.floor((now - Date.parse(createdAt)) / 1000));
  if (Number.isNaN(secs)) return '—';
  if (secs < 60) return 'just now';
  if (secs < 3600) return `${Math.floor(secs / 60)} min`;
  if (secs < 86400) return `${Math.floor(secs / 3600)} h`;
  return `${Math.floor(secs / 86400)} d`;
}

const TRANSITIONAL: WorkspaceState[] = ['pending', 'starting', 'stopping', 'updating', 'deleting'];

export function isTransitional(s: WorkspaceState): boolean {
  return TRANSITIONAL.includes(s);
}

export function stateLabel(s: WorkspaceState): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** GPU first: it is what costs money. */
export function gpuSummary(w: Workspace): string | null {
  const g = w.hardware.gpu;
  return g ? `${g.count} × ${g.kind.toUpperCase()}` : null;
}

export function cpuMemSummary(w: Workspace): string {
  const parts: string[] = [];
  if (w.hardware.cpus != null) parts.push(`${trim(w.hardware.cpus)} CPU`);
  if (w.hardware.memory_gb != null) parts.push(`${trim(w.hardware.memory_gb)} GB`);
  return parts.join(' · ');
}

function trim(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0+$/, '');
}

export type Filter = { text: string; state: 'all' | 'running' | 'stopped' | 'busy' | 'errored'; account: string };

export function matches(w: Workspace, f: Filter): boolean {
  const q = f.text.trim().toLowerCase();
  if (q && !`${w.name} ${w.id} ${w.account} ${w.provider}`.toLowerCase().includes(q)) return false;
  if (f.account !== 'all' && f.account !== '' && w.account !== f.account) return false;
  switch (f.state) {
    case 'running': return w.state === 'running';
    case 'stopped': return w.state === 'stopped';
    case 'busy': return isTransitional(w.state);
    case 'errored': return w.state === 'errored' || w.state === 'unknown';
    default: return true;
  }
}

/** The same checks the core makes, for an answer before any round trip. */
export function fieldError(f: FormField, raw: string | undefined): string | null {
  const v = (raw ?? '').trim();
  if (!v) return f.required && !f.default ? `${f.label} is required` : null;
  if (f.kind === 'number') {
    const n = Number(v);
    if (!Number.isFinite(n)) return `${f.label}: '${v}' is not a number`;
    if (f.min != null && n < f.min) return `${f.label}: at least ${f.min}`;
    if (f.max != null && n > f.max) return `${f.label}: at most ${f.max}`;
  }
  if (f.kind === 'choice' && f.choices && !f.choices.some((c) => c.value === v)) return `${f.label}: choose one of the options`;
  return null;
}

export function nameError(name: string): string | null {
  if (!name.trim()) return 'Name is required';
  if ([...name].length > 64) return 'Name: at most 64 characters';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'Name: no control characters';
  return null;
}

const LINK_NAMES: Record<string, string> = {
  vscode: 'VS Code', 'vscode-insiders': 'VS Code Insiders', cursor: 'Cursor', windsurf: 'Windsurf', zed: 'Zed',
  jetbrains: 'JetBrains', ssh: 'SSH', browser: 'Browser',
};

export function linkName(kind: string): string {
  return LINK_NAMES[kind] ?? kind;
}

/** `ssh://user@host:port` → the command a person would type. */
export function sshCommand(url: string): string | null {
  try {
    const u = new URL(url);
    if (u.protocol !== 'ssh:' || !u.hostname) return null;
    const user = u.username ? `${decodeURIComponent(u.username)}@` : '';
    return `ssh ${u.port ? `-p ${u.port} ` : ''}${user}${u.hostname}`;
  } catch {
    return null;
  }
}

/** `key=value` lines → account options; a malformed line is reported, not guessed at. */
export function parseOptions(text: string): { options: Record<string, string> } | { error: string } {
  const options: Record<string, string> = {};
  for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const i = line.indexOf('=');
    if (i < 1) return { error: `Options: '${line}' is not key=value` };
    options[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return { options };
}

export function optionLines(options: Record<string, string>): string {
  return Object.entries(options).map(([k, v]) => `${k}=${v}`).join('\n');
}
