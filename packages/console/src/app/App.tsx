import { Suspense } from 'react';
import { Route, Routes, useLocation } from 'react-router';
import { SessionProvider, useSession } from '../auth/SessionProvider.tsx';
import { SignInPage } from '../auth/SignInPage.tsx';
import { ErrorBoundary } from '../components/ErrorBoundary.tsx';
import { Loading } from '../components/Loading.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { SiteEventsProvider } from '../events/SiteEventsProvider.tsx';
import { pageRoutes } from './routes.tsx';
import { Shell } from './Shell.tsx';

export function App() {
  return (
    <ErrorBoundary>
      <SessionProvider>
        <SignedIn />
      </SessionProvider>
    </ErrorBoundary>
  );
}

/** The sign-in form until someone signs in; then the page the address names. */
function SignedIn() {
  const { session } = useSession();
  const location = useLocation();
  if (!session) return <SignInPage />;
  return (
    <SiteEventsProvider>
      <Shell>
        <ErrorBoundary key={location.pathname}>
          <Suspense fallback={<Loading />}>
            <Routes>
              {pageRoutes.map(({ path, page: Page }) => (
                <Route key={path} path={path} element={<Page />} />
              ))}
              <Route path="*" element={<NoSuchPage />} />
            </Routes>
          </Suspense>
        </ErrorBoundary>
      </Shell>
    </SiteEventsProvider>
  );
}

function NoSuchPage() {
  return <PageHeader title="No such page" description="The address names no page of the console: pick one from the navigation." />;
}
