import { NotYetAvailable } from '../../components/NotYetAvailable.tsx';

export default function StatusMessagesPage() {
  return <NotYetAvailable title="Status messages" />;
}
