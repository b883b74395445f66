// The IDEs installed on this computer (asked once), the user's preferred one first, and
// opening a workspace in one of them, which makes it the preferred one.
import { backend } from './backend';
import type { InstalledIde } from './bindings/InstalledIde';
import type { LinkKind } from './bindings/LinkKind';
import type { Workspace } from './bindings/Workspace';
import { hangar } from './store.svelte';

class Ides {
  /** Null until the core answered. */
  installed = $state.raw<InstalledIde[] | null>(null);
  #asked = false;

  load() {
    if (!this.#asked) this.refresh();
  }

  /** Asks again (an IDE was installed since). */
  refresh() {
    this.#asked = true;
    backend()
      .then((api) => api.installedIdes())
      .then((list) => (this.installed = list))
      .catch(() => (this.installed = []));
  }

  /** The installed IDEs, the preferred one first, the others in Hangar's order. */
  ordered(preferred: LinkKind | null | undefined): InstalledIde[] {
    const list = this.installed ?? [];
    const first = list.find((i) => i.kind === preferred);
    return first ? [first, ...list.filter((i) => i !== first)] : list;
  }

  /** Opens `w` in the chosen IDE and remembers it as the preferred one. */
  async choose(w: Workspace, kind: LinkKind) {
    await hangar.open(w, kind);
    const s = hangar.settings;
    if (s && s.preferred_ide !== kind) await hangar.saveSettings({ ...s, preferred_ide: kind });
  }
}

export const ides = new Ides();

/** The SSH host alias every IDE reaches the workspace through, if it has one. */
export function sshAliasOf(w: Workspace): string | null {
  return w.links.find((l) => l.ssh_alias)?.ssh_alias ?? null;
}
