import { NotYetAvailable } from '../../components/NotYetAvailable.tsx';

export default function UpdateGroupsPage() {
  return <NotYetAvailable title="Update groups" />;
}
