import type { Collection, CollectionQueryRule } from '@patchday/core';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '../../api/client.ts';
import { paths } from '../../app/navigation.ts';
import { Can, useApi } from '../../auth/SessionProvider.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { FormButtons } from '../../components/FormButtons.tsx';

/**
 * How the collection is made (§1): the limiting collection its members are a subset of, the
 * collections it includes and excludes, and its query rules (which those who may can add and remove).
 */
export function CollectionDefinition({ collection: c, all, onChanged }: { collection: Collection; all: Collection[]; onChanged(next: Collection): void }) {
  const api = useApi();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const byId = new Map(all.map((x) => [x.collectionId, x]));
  const linkTo = (id: string) => {
    const other = byId.get(id);
    return other ? <Link to={paths.collection(id)}>{other.name}</Link> : <span className="mono">{id}</span>;
  };
  const list = (ids: string[]) => (ids.length === 0 ? 'none' : ids.map((id, i) => <span key={id}>{i > 0 && ', '}{linkTo(id)}</span>));

  const setRules = async (queryRules: CollectionQueryRule[]): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      onChanged(await api.patch<Collection>(`/collections/${c.collectionId}`, { queryRules }));
      return true;
    } catch (e) {
      setError(errorMessage(e));
      return false;
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="collection-definition">
      <h2 id="collection-definition">Definition</h2>
      <dl className="properties">
        <dt>Limiting collection</dt>
        <dd>{c.builtIn ? 'none: it holds every active client' : c.limitingCollectionId ? linkTo(c.limitingCollectionId) : 'none'}</dd>
        <dt>Includes</dt>
        <dd>{list(c.includeCollectionIds)}</dd>
        <dt>Excludes</dt>
        <dd>{list(c.excludeCollectionIds)}</dd>
      </dl>
      <h3>Query rules ({c.queryRules.length})</h3>
      {c.queryRules.length === 0 ? (
        <p className="muted">{c.builtIn ? 'Built in: every active client is a member.' : 'No query rules: its members are its direct members and those of the collections it includes.'}</p>
      ) : (
        <ul className="plain-list">
          {c.queryRules.map((r) => (
            <li key={r.name}>
              <strong>{r.name}</strong>
              <Can permission="manage">
                <button type="button" className="link-button" disabled={busy} aria-label={`Remove query rule ${r.name}`} onClick={() => void setRules(c.queryRules.filter((x) => x.name !== r.name))}>
                  Remove
                </button>
              </Can>
              <pre className="rule-json">{JSON.stringify(r.rule)}</pre>
            </li>
          ))}
        </ul>
      )}
      <ErrorNotice error={error} />
      {!c.builtIn && (
        <Can permission="manage">
          <AddRule busy={busy} onAdd={(rule) => setRules([...c.queryRules, rule])} onProblem={setError} />
        </Can>
      )}
    </section>
  );
}

/** A query rule: a name and an applicability rule in JSON, checked by the site. */
function AddRule({ busy, onAdd, onProblem }: { busy: boolean; onAdd(rule: CollectionQueryRule): Promise<boolean>; onProblem(text: string | null): void }) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [text, setText] = useState('{"fact": {"key": "hostname", "matches": "^web-"}}');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    let rule: unknown;
    try {
      rule = JSON.parse(text);
    } catch (e) {
      onProblem(`The rule is not JSON: ${errorMessage(e)}`);
      return;
    }
    if (await onAdd({ name: name.trim(), rule: rule as CollectionQueryRule['rule'] })) {
      setOpen(false);
      setName('');
    }
  };
  if (!open) {
    return (
      <button type="button" onClick={() => (onProblem(null), setOpen(true))}>
        Add a query rule
      </button>
    );
  }
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label="Add a query rule">
      <label>
        Rule name
        <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
      </label>
      <label>
        Rule (JSON)
        <textarea value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />
      </label>
      <FormButtons submit="Add rule" busy={busy} onCancel={() => (onProblem(null), setOpen(false))} />
    </form>
  );
}
