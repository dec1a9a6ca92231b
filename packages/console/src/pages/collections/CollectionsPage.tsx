import { NotYetAvailable } from '../../components/NotYetAvailable.tsx';

export default function CollectionsPage() {
  return <NotYetAvailable title="Collections" />;
}
