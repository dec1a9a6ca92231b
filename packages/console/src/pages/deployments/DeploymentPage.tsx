import { NotYetAvailable } from '../../components/NotYetAvailable.tsx';

export default function DeploymentPage() {
  return <NotYetAvailable title="Deployment" />;
}
