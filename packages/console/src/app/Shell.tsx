import type { ReactNode } from 'react';
import { NavLink } from 'react-router';
import { useSession } from '../auth/SessionProvider.tsx';
import { useLiveState } from '../events/SiteEventsProvider.tsx';
import { navigation } from './navigation.ts';

/** The frame of every page: the site's name, who is signed in with which role, the navigation. */
export function Shell({ children }: { children: ReactNode }) {
  const { session, signOut } = useSession();
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">
          <span className="brand-mark" aria-hidden="true" /> Patchday
        </span>
        {session && (
          <span className="who">
            <LiveIndicator />
            <span className="username">{session.username}</span>
            <span className="role-badge" data-testid="role">
              {session.role}
            </span>
            <button type="button" onClick={() => void signOut()}>
              Sign out
            </button>
          </span>
        )}
      </header>
      <nav className="sidebar" aria-label="Console">
        {navigation.map((section, i) => (
          <div className="nav-section" key={section.label || i}>
            {section.label && <h2 className="nav-heading">{section.label}</h2>}
            <ul>
              {section.links.map((link) => (
                <li key={link.path}>
                  <NavLink to={link.path} end={link.path === '/'} className={({ isActive }) => (isActive ? 'active' : undefined)}>
                    {link.label}
                  </NavLink>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

/** Whether this tab hears the site's changes as they happen, or is catching up. */
function LiveIndicator() {
  const state = useLiveState();
  if (!state) return null;
  const text = state === 'live' ? 'Live' : state === 'connecting' ? 'Connecting…' : 'Reconnecting…';
  const title = state === 'live' ? 'Views update as the site changes' : 'The site\'s change stream is down: views refresh on a timer until it is back';
  return (
    <span className={`live-indicator live-${state}`} data-testid="live" title={title} role="status">
      <span className="live-dot" aria-hidden="true" /> {text}
    </span>
  );
}
