/**
 * The left navigation, in Configuration Manager's spirit. Each entry's path is a route of
 * app/routes.tsx; a page that is not built yet shows a placeholder there.
 */
export interface NavLinkEntry {
  label: string;
  path: string;
}

export interface NavSection {
  label: string;
  links: NavLinkEntry[];
}

export const paths = {
  dashboard: '/',
  allUpdates: '/software-updates/all-updates',
  update: (updateId: string) => `/software-updates/all-updates/${updateId}`,
  updateGroups: '/software-updates/update-groups',
  deploymentPackages: '/software-updates/deployment-packages',
  automaticDeploymentRules: '/software-updates/automatic-deployment-rules',
  deployments: '/deployments',
  deployment: (deploymentId: string) => `/deployments/${deploymentId}`,
  distributionPoints: '/distribution-points',
  collections: '/collections',
  collection: (collectionId: string) => `/collections/${collectionId}`,
  clients: '/clients',
  client: (clientId: string) => `/clients/${clientId}`,
  alerts: '/monitoring/alerts',
  statusMessages: '/monitoring/status-messages',
  auditLog: '/monitoring/audit-log',
} as const;

/** Sections without a label are single top-level links. */
export const navigation: NavSection[] = [
  { label: '', links: [{ label: 'Dashboard', path: paths.dashboard }] },
  {
    label: 'Software Updates',
    links: [
      { label: 'All updates', path: paths.allUpdates },
      { label: 'Update groups', path: paths.updateGroups },
      { label: 'Deployment packages', path: paths.deploymentPackages },
      { label: 'Automatic deployment rules', path: paths.automaticDeploymentRules },
    ],
  },
  {
    label: '',
    links: [
      { label: 'Deployments', path: paths.deployments },
      { label: 'Distribution points', path: paths.distributionPoints },
      { label: 'Collections', path: paths.collections },
      { label: 'Clients', path: paths.clients },
    ],
  },
  {
    label: 'Monitoring',
    links: [
      { label: 'Alerts', path: paths.alerts },
      { label: 'Status messages', path: paths.statusMessages },
      { label: 'Audit log', path: paths.auditLog },
    ],
  },
];
