import { useState, type FormEvent } from 'react';
import { errorMessage } from '../api/client.ts';
import { useSession } from './SessionProvider.tsx';

/** The sign-in form: any path of the console shows it until someone signs in, then that path. */
export function SignInPage() {
  const { signIn, endedBecause } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(username.trim(), password);
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <form className="sign-in-form" onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">
          <span className="brand-mark" aria-hidden="true" /> Patchday
        </h1>
        <p className="muted">Sign in to the site's console.</p>
        {endedBecause && !error && <p className="notice">{endedBecause}</p>}
        {error && (
          <p className="error-notice" role="alert">
            {error}
          </p>
        )}
        <label>
          User name
          <input name="username" autoComplete="username" autoFocus required value={username} onChange={(e) => setUsername(e.target.value)} />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
