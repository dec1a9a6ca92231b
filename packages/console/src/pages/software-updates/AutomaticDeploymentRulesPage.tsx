import { NotYetAvailable } from '../../components/NotYetAvailable.tsx';

export default function AutomaticDeploymentRulesPage() {
  return <NotYetAvailable title="Automatic deployment rules" />;
}
