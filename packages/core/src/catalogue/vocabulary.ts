/**
 * The catalogue's fixed vocabularies as plain lists (their schemas are in vocabulary-schemas.ts), so
 * the console can offer them without loading the schema library.
 */

/** §2 classifications, spelled as administrators know them. */
export const classifications = [
  'Critical Updates', 'Definition Updates', 'Feature Packs', 'Security Updates', 'Service Packs',
  'Tools', 'Update Rollups', 'Updates', 'Upgrades',
] as const;

export const severities = ['Critical', 'Important', 'Moderate', 'Low', 'Unspecified'] as const;

export const rebootBehaviours = ['never', 'may request', 'always'] as const;
