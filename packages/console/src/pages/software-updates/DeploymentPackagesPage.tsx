import { NotYetAvailable } from '../../components/NotYetAvailable.tsx';

export default function DeploymentPackagesPage() {
  return <NotYetAvailable title="Deployment packages" />;
}
