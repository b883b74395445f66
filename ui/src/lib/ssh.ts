// The one line Hangar asks to add to the user's SSH config (the core writes it, with consent).
export const USER_SSH_CONFIG = '~/.ssh/config';
export const INCLUDE_LINE = 'Include ~/.ssh/hangar/config';
