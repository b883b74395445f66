import { describe, expect, it } from 'vitest';
import { paletteCommands, rankCommands } from '../src/lib/palette';
import { workspace } from './fake-backend';

const llm = workspace({
  id: 'w1', name: 'llm-train', actions: ['stop', 'delete'],
  links: [{ kind: 'browser', url: 'https://x.test/', label: null }, { kind: 'vscode', url: 'vscode://x', label: null }, { kind: 'ssh', url: 'ssh://x', label: null }],
});
const prep = workspace({
  id: 'w2', name: 'data-prep', state: 'running', actions: ['stop', 'delete'],
  links: [{ kind: 'cursor', url: 'cursor://x', label: null }, { kind: 'vscode', url: 'vscode://y', label: null }],
});
const old = workspace({ id: 'w3', name: 'old-notebook', state: 'stopped', actions: ['start', 'update', 'delete'] });
const commands = paletteCommands([llm, prep, old], [{ name: 'team-exalsius', provider: 'exalsius' }, { name: 'demo-aether', provider: 'aether' }]);
const top = (q: string) => rankCommands(q, commands)[0]?.label;

describe('palette commands', () => {
  it('offer every action and link each workspace has, and nothing it lacks', () => {
    const labels = commands.map((c) => c.label);
    expect(labels).toContain('Stop llm-train');
    expect(labels).toContain('Open llm-train');
    expect(labels).toContain('Open llm-train in VS Code');
    expect(labels).toContain('Copy SSH command of llm-train');
    expect(labels).toContain('Start old-notebook');
    expect(labels).toContain('Edit old-notebook…');
    expect(labels).not.toContain('Stop old-notebook');
    expect(labels).not.toContain('Start llm-train');
    expect(labels).toEqual(expect.arrayContaining(['Settings', 'Accounts', 'New workspace on exalsius (team-exalsius)…']));
  });
});

describe('ranking what is typed', () => {
  it('puts the verb and the name typed first', () => {
    expect(top('stop llm')).toBe('Stop llm-train');
    expect(top('open data-prep in cursor')).toBe('Open data-prep in Cursor');
    expect(top('new workspace on exalsius')).toBe('New workspace on exalsius (team-exalsius)…');
    expect(top('details llm')).toBe('Details of llm-train');
    expect(top('settings')).toBe('Settings');
    expect(top('accounts')).toBe('Accounts');
  });
  it('forgives missing letters and a missing filler word', () => {
    expect(top('opn dprep cursor')).toBe('Open data-prep in Cursor');
    expect(top('start notebook')).toBe('Start old-notebook');
  });
  it('takes letters in order only from the start of a word', () => {
    const labels = rankCommands('open', commands).map((c) => c.label);
    expect(labels.every((l) => l.startsWith('Open '))).toBe(true);
  });
  it('ignores case and extra spaces', () => {
    expect(top('  STOP   Data ')).toBe('Stop data-prep');
  });
  it('drops every label that misses a typed word', () => {
    expect(rankCommands('stop zzz', commands)).toEqual([]);
    expect(rankCommands('start llm', commands).map((c) => c.label)).not.toContain('Stop llm-train');
  });
  it('keeps everything, in order, for an empty query', () => {
    expect(rankCommands('', commands)).toEqual(commands);
  });
});
