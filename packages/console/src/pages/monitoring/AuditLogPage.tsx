import { NotYetAvailable } from '../../components/NotYetAvailable.tsx';

export default function AuditLogPage() {
  return <NotYetAvailable title="Audit log" />;
}
