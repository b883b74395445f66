// The command palette's pure parts: which commands exist for what is on screen, and how a
// typed query ranks them. Running a command is the window's business (App.svelte).
import type { Account } from './bindings/Account';
import type { Workspace } from './bindings/Workspace';
import { linkName } from './format';

export type PaletteCommand =
  | { kind: 'details' | 'start' | 'stop' | 'delete' | 'edit' | 'copy-ssh'; label: string; workspace: Workspace }
  | { kind: 'open'; label: string; workspace: Workspace; link: Workspace['links'][number]['kind'] }
  | { kind: 'new'; label: string; account: string | null }
  | { kind: 'settings' | 'accounts' | 'refresh'; label: string };

/** Every action on every workspace, then the window's own. */
export function paletteCommands(workspaces: Workspace[], accounts: Pick<Account, 'name' | 'provider'>[]): PaletteCommand[] {
  const out: PaletteCommand[] = [];
  for (const w of workspaces) {
    const n = w.name;
    for (const l of w.links) {
      if (l.kind === 'ssh') out.push({ kind: 'copy-ssh', label: `Copy SSH command of ${n}`, workspace: w });
      else out.push({ kind: 'open', label: l.kind === 'browser' ? `Open ${n}` : `Open ${n} in ${linkName(l.kind)}`, workspace: w, link: l.kind });
    }
    if (w.actions.includes('stop')) out.push({ kind: 'stop', label: `Stop ${n}`, workspace: w });
    if (w.actions.includes('start')) out.push({ kind: 'start', label: `Start ${n}`, workspace: w });
    out.push({ kind: 'details', label: `Details of ${n}`, workspace: w });
    if (w.actions.includes('update')) out.push({ kind: 'edit', label: `Edit ${n}…`, workspace: w });
    if (w.actions.includes('delete')) out.push({ kind: 'delete', label: `Delete ${n}…`, workspace: w });
  }
  out.push({ kind: 'new', label: 'New workspace…', account: null });
  for (const a of accounts) out.push({ kind: 'new', label: `New workspace on ${a.provider} (${a.name})…`, account: a.name });
  out.push({ kind: 'settings', label: 'Settings' }, { kind: 'accounts', label: 'Accounts' }, { kind: 'refresh', label: 'Refresh all accounts' });
  return out;
}

const words = (s: string) => s.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);

/** Whether `needle`'s letters appear in `hay` in order. */
function subsequence(needle: string, hay: string): boolean {
  let i = 0;
  for (const ch of hay) if (ch === needle[i] && ++i === needle.length) return true;
  return needle.length === 0;
}

/** Where each word of `label` begins. */
function wordStarts(label: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < label.length; i++) if (/[\p{L}\p{N}]/u.test(label[i]) && (i === 0 || !/[\p{L}\p{N}]/u.test(label[i - 1]))) out.push(i);
  return out;
}

/**
 * How well one typed word fits a label: a whole word beats a word's start, which beats a
 * piece inside a word, which beats letters in order from a word's start ("dprep" in
 * "data-prep", but not "open" in "new workspace on"). 0: no fit.
 */
function tokenScore(token: string, label: string, labelWords: string[]): number {
  if (labelWords.includes(token)) return 4;
  if (labelWords.some((w) => w.startsWith(token))) return 3;
  if (label.includes(token)) return 2;
  if (token.length >= 2 && wordStarts(label).some((i) => label[i] === token[0] && subsequence(token, label.slice(i)))) return 1;
  return 0;
}

/** Small words people type that a label may not contain ("details for llm"). */
const FILLER = new Set(['in', 'on', 'of', 'the', 'for', 'a', 'to', 'with']);

/**
 * The labels that fit every typed word, best first (ties keep the given order). An empty query
 * keeps everything in order.
 */
export function rankCommands<T extends { label: string }>(query: string, items: T[]): T[] {
  const tokens = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!tokens.length) return items.slice();
  const scored: { item: T; score: number; index: number }[] = [];
  items.forEach((item, index) => {
    const label = item.label.toLowerCase();
    const labelWords = words(label);
    let score = 0;
    for (const t of tokens) {
      const s = tokenScore(t, label, labelWords);
      if (s === 0 && !FILLER.has(t)) return;
      score += s;
    }
    // The first word typed is usually the verb: reward a label that starts with it.
    if (labelWords[0]?.startsWith(tokens[0])) score += 2;
    scored.push({ item, score, index });
  });
  scored.sort((a, b) => b.score - a.score || a.item.label.length - b.item.label.length || a.index - b.index);
  return scored.map((s) => s.item);
}
