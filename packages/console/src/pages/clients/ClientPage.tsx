import { NotYetAvailable } from '../../components/NotYetAvailable.tsx';

export default function ClientPage() {
  return <NotYetAvailable title="Client" />;
}
