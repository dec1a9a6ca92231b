import { NotYetAvailable } from '../../components/NotYetAvailable.tsx';

export default function DistributionPointsPage() {
  return <NotYetAvailable title="Distribution points" />;
}
