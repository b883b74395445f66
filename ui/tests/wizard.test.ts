// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mount, unmount } from 'svelte';
import CreateWizard from '../src/lib/components/CreateWizard.svelte';
import { hangar } from '../src/lib/store.svelte';
import { BackendError, type Backend } from '../src/lib/backend';
import type { Form } from '../src/lib/bindings/Form';
import { fakeBackend, settle } from './fake-backend';
import { ErrorCodes } from '../src/lib/bindings/errorCodes';

const form: Form = {
  fields: [
    { key: 'gpu_count', label: 'GPUs', kind: 'number', required: false, choices: null, min: 1, max: 8, default: '1', help: null, group: 'hardware', secret: false },
    { key: 'region', label: 'Region', kind: 'choice', required: true, choices: [{ value: 'eu', label: 'Europe', detail: null }], min: null, max: null, default: null, help: null, group: null, secret: false },
  ],
};
let api: Backend;
let wizard: ReturnType<typeof mount>;

beforeEach(async () => {
  api = fakeBackend({
    accounts: async () => [{ name: 'acme', provider: 'exalsius', base_url: null, options: {} }],
    createForm: async () => structuredClone(form),
  });
  hangar.api = api;
  wizard = mount(CreateWizard, { target: document.body, props: { onClose: () => {} } });
  await settle();
  document.querySelector<HTMLButtonElement>('[data-testid=wizard-next]')!.click();
  await settle();
});

afterEach(() => unmount(wizard));

const field = (key: string) => document.querySelector<HTMLElement>(`[data-testid=field-${key}]`)!;
async function type(input: HTMLInputElement, value: string) {
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  await settle();
}
async function create() {
  document.querySelector<HTMLButtonElement>('[data-testid=wizard-create]')!.click();
  await settle();
}

describe('CreateWizard', () => {
  it('shows the live form of the only account', () => {
    expect(field('gpu_count')).not.toBeNull();
    expect(field('region').querySelector('select')).not.toBeNull();
  });

  it('refuses a missing name and an out-of-range number on their fields, sending nothing', async () => {
    await type(field('gpu_count').querySelector('input')!, '9');
    await create();
    expect(field('gpu_count').textContent).toContain('GPUs: at most 8');
    expect(document.querySelector('[data-testid=create-wizard]')!.textContent).toContain('Name is required');
    expect(field('region').textContent).toContain('Region is required');
    expect(api.createWorkspace).not.toHaveBeenCalled();
  });

  it('sends the values once they are valid', async () => {
    await type(document.querySelector<HTMLInputElement>('#wizard-name')!, 'train');
    await type(field('gpu_count').querySelector('input')!, '2');
    const region = field('region').querySelector('select')!;
    region.value = 'eu';
    region.dispatchEvent(new Event('change', { bubbles: true }));
    await settle();
    await create();
    expect(api.createWorkspace).toHaveBeenCalledWith('acme', 'train', expect.objectContaining({ gpu_count: '2', region: 'eu' }));
  });

  it('puts a field error from the core on that field', async () => {
    api.createWorkspace = async () => {
      throw new BackendError({ code: ErrorCodes.InvalidInput, message: 'GPUs: 2 are not free in eu', field: 'gpu_count', retry_after_secs: null });
    };
    await type(document.querySelector<HTMLInputElement>('#wizard-name')!, 'train');
    const region = field('region').querySelector('select')!;
    region.value = 'eu';
    region.dispatchEvent(new Event('change', { bubbles: true }));
    await settle();
    await create();
    expect(field('gpu_count').textContent).toContain('GPUs: 2 are not free in eu');
    expect(document.querySelector('[data-testid=wizard-error]')).toBeNull();
  });
});
