import { ServiceResponseType, type ServiceInfo } from 'nats';
import { describe, expect, it } from 'vitest';
import type { MeshProviderChange } from '@hecate-om/contract';
import { ProviderView, providersOf } from '../src/mesh/provider-view.js';
import { watchProviders } from '../src/mesh/watch.js';

function infoOf(id: string, endpoints: ServiceInfo['endpoints'], did = `did:key:z${id}`): ServiceInfo {
  return { type: ServiceResponseType.INFO, name: 'billing', id, version: '1.4.0', description: 'Charges', metadata: { 'hecate.did': did }, endpoints };
}

const charge = (id: string, version: number, addressing = 'instance'): ServiceInfo['endpoints'][number] => ({
  name: `billing-charge-v${version}${addressing === 'instance' ? '-instance' : ''}`,
  subject: `hecate.mesh.billing.charge.v${version}${addressing === 'instance' ? `.${id}` : ''}`,
  queue_group: 'hecate',
  metadata: { 'hecate.capability': 'billing.charge', 'hecate.capability_version': String(version), 'hecate.addressing': addressing },
});

describe('providersOf', () => {
  it('reads the addressed endpoints of a hecate instance and ignores shared ones and foreign micro services', () => {
    const info = infoOf('A', [charge('A', 1, 'shared'), charge('A', 1), { name: 'other', subject: 'x.y' }]);
    expect(providersOf(info)).toEqual([
      { service: 'billing', serviceVersion: '1.4.0', instance: 'A', did: 'did:key:zA', realm: '', capability: 'billing.charge', version: 1, subject: 'hecate.mesh.billing.charge.v1.A', health: 'ok' },
    ]);
  });
});

describe('ProviderView', () => {
  it('a full sweep replaces the view: an instance missing from it is gone', () => {
    const view = new ProviderView();
    view.replaceAll([infoOf('A', [charge('A', 1)]), infoOf('B', [charge('B', 1)])]);
    expect(view.lookup('billing.charge').map((provider) => provider.instance)).toEqual(['A', 'B']);
    view.replaceAll([infoOf('B', [charge('B', 1)])]);
    expect(view.lookup('billing.charge').map((provider) => provider.instance)).toEqual(['B']);
  });

  it('candidates start one provider further on each call and leave out versions below minVersion', () => {
    const view = new ProviderView();
    view.replaceAll([infoOf('A', [charge('A', 1)]), infoOf('B', [charge('B', 2)]), infoOf('C', [charge('C', 2)])]);
    const firsts = [0, 1, 2, 3].map(() => view.candidates('billing.charge', 1).map((provider) => provider.instance).join(''));
    expect(firsts).toEqual(['ABC', 'BCA', 'CAB', 'ABC']);
    expect(view.candidates('billing.charge', 2).map((provider) => provider.instance).sort()).toEqual(['B', 'C']);
    expect(view.candidates('billing.charge', 3)).toEqual([]);
  });

  it('remove takes one instance out at once and says whether it was there', () => {
    const view = new ProviderView();
    view.upsert(infoOf('A', [charge('A', 1)]));
    expect(view.remove('A')).toBe(true);
    expect(view.remove('A')).toBe(false);
    expect(view.lookup('billing.charge')).toEqual([]);
  });

  it('a sweep asked before an instance was removed does not bring it back; one asked after does', () => {
    const view = new ProviderView();
    view.replaceAll([infoOf('A', [charge('A', 1)]), infoOf('B', [charge('B', 1)])]);
    const askedBeforeTheRemoval = view.moment();
    view.remove('A');
    // A's reply was sent before it left (killed, or withdrawn), and arrives with the sweep's end.
    view.replaceAll([infoOf('A', [charge('A', 1)]), infoOf('B', [charge('B', 1)])], askedBeforeTheRemoval);
    expect(view.lookup('billing.charge').map(({ instance }) => instance)).toEqual(['B']);
    view.upsert(infoOf('A', [charge('A', 1)]), askedBeforeTheRemoval);
    expect(view.lookup('billing.charge').map(({ instance }) => instance)).toEqual(['B']);
    // Back and answering a sweep asked after it left: it is in the view again.
    view.replaceAll([infoOf('A', [charge('A', 1)]), infoOf('B', [charge('B', 1)])], view.moment());
    expect(view.lookup('billing.charge').map(({ instance }) => instance).sort()).toEqual(['A', 'B']);
  });

  it('a suspect is tried after every other provider, until it answers a sweep again', () => {
    const view = new ProviderView();
    view.replaceAll([infoOf('A', [charge('A', 1)]), infoOf('B', [charge('B', 1)])]);
    view.suspect('A');
    expect(view.lookup('billing.charge').map((provider) => `${provider.instance}:${provider.health}`)).toEqual(['A:suspect', 'B:ok']);
    expect([0, 1, 2].map(() => view.candidates('billing.charge', 1).map((provider) => provider.instance).join(''))).toEqual(['BA', 'BA', 'BA']);
    view.replaceAll([infoOf('A', [charge('A', 1)]), infoOf('B', [charge('B', 1)])]);
    expect(view.lookup('billing.charge').map((provider) => provider.health)).toEqual(['ok', 'ok']);
  });

  it('tells a listener of one capability what was added, changed and removed, and nothing about others', () => {
    const view = new ProviderView();
    const changes: string[] = [];
    const unlisten = view.listen('billing.charge', (change) => changes.push(`${change.type} ${change.provider.instance} ${change.provider.health}`));
    view.upsert(infoOf('A', [charge('A', 1)]));
    view.upsert({ ...infoOf('X', []), endpoints: [{ ...charge('X', 1), metadata: { ...charge('X', 1).metadata, 'hecate.capability': 'other.thing' } }] });
    view.suspect('A');
    view.clearSuspicion('A');
    view.replaceAll([infoOf('B', [charge('B', 1)])]);
    unlisten();
    view.remove('B');
    expect(changes).toEqual(['added A ok', 'changed A suspect', 'changed A ok', 'added B ok', 'removed A ok']);
  });
});

describe('watchProviders', () => {
  it('yields the providers known now as added, then each change, and ends when the loop breaks', async () => {
    const view = new ProviderView();
    view.upsert(infoOf('A', [charge('A', 1)]));
    const seen: MeshProviderChange[] = [];
    const watching = (async () => {
      for await (const change of watchProviders(view, 'billing.charge')) {
        seen.push(change);
        if (change.type === 'removed') break;
      }
    })();
    view.upsert(infoOf('B', [charge('B', 1)]));
    view.remove('A');
    await watching;
    expect(seen.map((change) => `${change.type} ${change.provider.instance}`)).toEqual(['added A', 'added B', 'removed A']);
  });

  it('ends when its signal aborts, and stops listening', async () => {
    const view = new ProviderView();
    const controller = new AbortController();
    const seen: string[] = [];
    const watching = (async () => {
      for await (const change of watchProviders(view, 'billing.charge', controller.signal)) seen.push(change.provider.instance);
    })();
    view.upsert(infoOf('A', [charge('A', 1)]));
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    await watching;
    view.upsert(infoOf('B', [charge('B', 1)]));
    expect(seen).toEqual(['A']);
  });
});
