import { paths } from '../../app/navigation.ts';

/** Addresses of the software library's own pages (groups, packages, rules) and the deploy wizard. */
export const libraryPaths = {
  updateGroup: (groupId: string) => `${paths.updateGroups}/${groupId}`,
  deploymentPackage: (packageId: string) => `${paths.deploymentPackages}/${packageId}`,
  rule: (adrId: string) => `${paths.automaticDeploymentRules}/${adrId}`,
  newRule: `${paths.automaticDeploymentRules}/new`,
  deployWizard: (groupId?: string) => `${paths.deployments}/new${groupId ? `?groupId=${encodeURIComponent(groupId)}` : ''}`,
};
