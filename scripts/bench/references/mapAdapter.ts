import type { Adapter, AdapterPayload } from 'oidc-provider';

/**
 * An unbounded in-memory storage adapter for oidc-provider. Its built-in memory adapter is an LRU
 * capped at 1,000 entries (a pre-minted pool of refresh tokens would be evicted before use) and
 * recomputes a grant's whole member list on every write. This one keeps oidc-provider's
 * semantics (consume marks, destroy and revoke by grant) with plain maps; expiry is left to the
 * provider's own checks, which is enough for a run of a few minutes.
 */
const entries = new Map<string, AdapterPayload>();
const byGrant = new Map<string, Set<string>>();
const byUid = new Map<string, string>();
const byUserCode = new Map<string, string>();

export class MapAdapter implements Adapter {
  constructor(private readonly model: string) {}

  private key(id: string) {
    return `${this.model}:${id}`;
  }

  upsert(id: string, payload: AdapterPayload): Promise<void> {
    const key = this.key(id);
    entries.set(key, payload);
    if (payload.grantId !== undefined) {
      let members = byGrant.get(payload.grantId);
      if (!members) byGrant.set(payload.grantId, (members = new Set()));
      members.add(key);
    }
    if (this.model === 'Session' && payload.uid !== undefined) byUid.set(payload.uid, id);
    if (payload.userCode !== undefined) byUserCode.set(payload.userCode, id);
    return Promise.resolve();
  }

  find(id: string): Promise<AdapterPayload | undefined> {
    return Promise.resolve(entries.get(this.key(id)));
  }

  findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const id = byUid.get(uid);
    return Promise.resolve(id === undefined ? undefined : entries.get(this.key(id)));
  }

  findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const id = byUserCode.get(userCode);
    return Promise.resolve(id === undefined ? undefined : entries.get(this.key(id)));
  }

  consume(id: string): Promise<void> {
    const payload = entries.get(this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    return Promise.resolve();
  }

  destroy(id: string): Promise<void> {
    const key = this.key(id);
    const payload = entries.get(key);
    entries.delete(key);
    if (payload?.grantId !== undefined) byGrant.get(payload.grantId)?.delete(key);
    return Promise.resolve();
  }

  revokeByGrantId(grantId: string): Promise<void> {
    for (const key of byGrant.get(grantId) ?? []) entries.delete(key);
    byGrant.delete(grantId);
    return Promise.resolve();
  }
}
