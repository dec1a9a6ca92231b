import type { Inventory } from '../inventory/inventory.ts';

/**
 * The catalogue product a machine belongs to: "Debian 12" for os-release ID debian, VERSION_ID
 * 12 (point releases share the product). Null when the catalogue has no product for it.
 */
export function productOfInventory(inventory: Pick<Inventory, 'os'>): string | null {
  if (inventory.os.family !== 'debian' || !inventory.os.versionId) return null;
  const major = /^(\d+)/.exec(inventory.os.versionId)?.[1];
  return major ? `Debian ${major}` : null;
}
