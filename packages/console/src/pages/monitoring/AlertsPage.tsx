import { NotYetAvailable } from '../../components/NotYetAvailable.tsx';

export default function AlertsPage() {
  return <NotYetAvailable title="Alerts" />;
}
