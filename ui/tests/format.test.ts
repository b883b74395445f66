import { describe, expect, it } from 'vitest';
import { age, cpuMemSummary, fieldError, gpuSummary, matches, nameError, type Filter } from '../src/lib/format';
import type { FormField } from '../src/lib/bindings/FormField';
import type { Workspace } from '../src/lib/bindings/Workspace';

const base: Workspace = {
  account: 'acme', provider: 'aether', id: 'b2c3d4e5', name: 'web-app · b2c3d4e5', state: 'running', raw_state: 'running',
  hardware: { label: null, cpus: 2, memory_gb: 2, gpu: null }, created_at: '2026-01-01T00:00:00Z', links: [], actions: [], details: {}, error: null,
    started_at: null, rate: null, currency: null, rate_source: 'unknown', spent: null, spent_estimated: false, stops_at: null, idle_stop_minutes: null,
};
const all: Filter = { text: '', state: 'all', account: 'all' };
const field = (over: Partial<FormField>): FormField => ({
  key: 'k', label: 'GPUs', kind: 'number', required: false, choices: null, min: 0, max: 8, default: null, help: null, group: null, secret: false, ...over,
});

describe('age', () => {
  const now = Date.parse('2026-01-03T01:00:00Z');
  it('reads in the largest whole unit', () => {
    expect(age('2026-01-03T00:59:30Z', now)).toBe('just now');
    expect(age('2026-01-03T00:30:00Z', now)).toBe('30 min');
    expect(age('2026-01-02T20:00:00Z', now)).toBe('5 h');
    expect(age('2026-01-01T00:00:00Z', now)).toBe('2 d');
  });
  it('shows a dash when unknown or garbled', () => {
    expect(age(null, now)).toBe('—');
    expect(age('not a date', now)).toBe('—');
  });
});

describe('hardware summary', () => {
  it('puts the GPU first and leaves unreported facts out', () => {
    expect(gpuSummary({ ...base, hardware: { label: null, cpus: null, memory_gb: null, gpu: { kind: 'a100-80gb', count: 2 } } })).toBe('2 × A100-80GB');
    expect(gpuSummary(base)).toBeNull();
    expect(cpuMemSummary(base)).toBe('2 CPU · 2 GB');
    expect(cpuMemSummary({ ...base, hardware: { label: 'x', cpus: 0.5, memory_gb: null, gpu: null } })).toBe('0.5 CPU');
  });
});

describe('filter', () => {
  it('searches name, id and account, case-insensitively', () => {
    expect(matches(base, { ...all, text: 'WEB' })).toBe(true);
    expect(matches(base, { ...all, text: 'acme' })).toBe(true);
    expect(matches(base, { ...all, text: 'nomatch' })).toBe(false);
  });
  it('filters by state group and account', () => {
    expect(matches({ ...base, state: 'stopping' }, { ...all, state: 'busy' })).toBe(true);
    expect(matches(base, { ...all, state: 'stopped' })).toBe(false);
    expect(matches({ ...base, state: 'unknown' }, { ...all, state: 'errored' })).toBe(true);
    expect(matches(base, { ...all, account: 'other' })).toBe(false);
  });
});

describe('wizard validation', () => {
  it('refuses 9999 GPUs and non-numbers, naming the limit', () => {
    expect(fieldError(field({}), '9999')).toBe('GPUs: at most 8');
    expect(fieldError(field({}), 'lots')).toMatch(/not a number/);
    expect(fieldError(field({}), '-1')).toBe('GPUs: at least 0');
    expect(fieldError(field({}), '4')).toBeNull();
  });
  it('requires required fields unless they have a default', () => {
    expect(fieldError(field({ kind: 'text', required: true, label: 'Project' }), '')).toBe('Project is required');
    expect(fieldError(field({ kind: 'text', required: true, default: 'p1' }), '')).toBeNull();
  });
  it('accepts only offered choices', () => {
    const f = field({ kind: 'choice', choices: [{ value: 'a10', label: 'A10', detail: null }] });
    expect(fieldError(f, 'a10')).toBeNull();
    expect(fieldError(f, 'h100')).toMatch(/choose one/);
  });
  it('checks names like the core does', () => {
    expect(nameError('  ')).toBe('Name is required');
    expect(nameError('x'.repeat(65))).toMatch(/64/);
    expect(nameError('a\u0007b')).toMatch(/control/);
    expect(nameError('train-01 ✓')).toBeNull();
  });
});

import { linkName, sshCommand } from '../src/lib/format';

describe('links', () => {
  it('turns an ssh:// link into the command a person types', () => {
    expect(sshCommand('ssh://ray@10.0.0.5:2222')).toBe('ssh -p 2222 ray@10.0.0.5');
    expect(sshCommand('ssh://host.example')).toBe('ssh host.example');
    expect(sshCommand('https://x')).toBeNull();
    expect(sshCommand('not a url')).toBeNull();
  });
  it('names IDE targets', () => {
    expect(linkName('vscode')).toBe('VS Code');
    expect(linkName('jetbrains')).toBe('JetBrains');
  });
});
