import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import { paths } from './navigation.ts';

/**
 * Every page of the console, each its own chunk (React.lazy), so the first page loads only what it
 * shows. A new page: add its file under pages/<area>/ (default export) and a line here.
 */
export interface PageRoute {
  path: string;
  page: LazyExoticComponent<ComponentType>;
}

export const pageRoutes: PageRoute[] = [
  { path: paths.dashboard, page: lazy(() => import('../pages/dashboard/DashboardPage.tsx')) },
  { path: paths.allUpdates, page: lazy(() => import('../pages/software-updates/AllUpdatesPage.tsx')) },
  { path: `${paths.allUpdates}/:updateId`, page: lazy(() => import('../pages/software-updates/UpdatePage.tsx')) },
  { path: paths.updateGroups, page: lazy(() => import('../pages/software-updates/UpdateGroupsPage.tsx')) },
  { path: `${paths.updateGroups}/:groupId`, page: lazy(() => import('../pages/software-updates/UpdateGroupPage.tsx')) },
  { path: paths.deploymentPackages, page: lazy(() => import('../pages/software-updates/DeploymentPackagesPage.tsx')) },
  { path: `${paths.deploymentPackages}/:packageId`, page: lazy(() => import('../pages/software-updates/DeploymentPackagePage.tsx')) },
  { path: paths.automaticDeploymentRules, page: lazy(() => import('../pages/software-updates/AutomaticDeploymentRulesPage.tsx')) },
  { path: `${paths.automaticDeploymentRules}/new`, page: lazy(() => import('../pages/software-updates/NewAutomaticDeploymentRulePage.tsx')) },
  { path: `${paths.automaticDeploymentRules}/:adrId`, page: lazy(() => import('../pages/software-updates/AutomaticDeploymentRulePage.tsx')) },
  { path: paths.deployments, page: lazy(() => import('../pages/deployments/DeploymentsPage.tsx')) },
  { path: `${paths.deployments}/new`, page: lazy(() => import('../pages/deployments/DeployWizard.tsx')) },
  { path: `${paths.deployments}/:deploymentId`, page: lazy(() => import('../pages/deployments/DeploymentPage.tsx')) },
  { path: paths.distributionPoints, page: lazy(() => import('../pages/distribution-points/DistributionPointsPage.tsx')) },
  { path: paths.collections, page: lazy(() => import('../pages/collections/CollectionsPage.tsx')) },
  { path: `${paths.collections}/:collectionId`, page: lazy(() => import('../pages/collections/CollectionPage.tsx')) },
  { path: paths.clients, page: lazy(() => import('../pages/clients/ClientsPage.tsx')) },
  { path: `${paths.clients}/:clientId`, page: lazy(() => import('../pages/clients/ClientPage.tsx')) },
  { path: paths.alerts, page: lazy(() => import('../pages/monitoring/AlertsPage.tsx')) },
  { path: paths.statusMessages, page: lazy(() => import('../pages/monitoring/StatusMessagesPage.tsx')) },
  { path: paths.auditLog, page: lazy(() => import('../pages/monitoring/AuditLogPage.tsx')) },
];
