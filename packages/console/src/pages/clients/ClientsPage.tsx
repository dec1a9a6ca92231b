import { NotYetAvailable } from '../../components/NotYetAvailable.tsx';

export default function ClientsPage() {
  return <NotYetAvailable title="Clients" />;
}
