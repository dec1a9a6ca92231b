import { NotYetAvailable } from '../../components/NotYetAvailable.tsx';

export default function DeploymentsPage() {
  return <NotYetAvailable title="Deployments" />;
}
