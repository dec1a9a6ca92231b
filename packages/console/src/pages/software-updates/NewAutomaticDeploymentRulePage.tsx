import { Link, useNavigate } from 'react-router';
import { paths } from '../../app/navigation.ts';
import { useSession } from '../../auth/SessionProvider.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { AdrEditor } from './AdrEditor.tsx';
import { libraryPaths } from './library-paths.ts';
import './software-library.css';

export default function NewAutomaticDeploymentRulePage() {
  const navigate = useNavigate();
  const { can } = useSession();
  return (
    <>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <Link to={paths.automaticDeploymentRules}>Automatic deployment rules</Link> › <span>New rule</span>
      </nav>
      <PageHeader title="New automatic deployment rule" />
      {can('manage') ? (
        <AdrEditor onSaved={(rule) => navigate(libraryPaths.rule(rule.adrId), { state: { notice: `Created rule ${rule.name}: preview it, or run it now.` } })} onCancel={() => navigate(paths.automaticDeploymentRules)} />
      ) : (
        <p className="notice">Your role may look at rules but not create them.</p>
      )}
    </>
  );
}
