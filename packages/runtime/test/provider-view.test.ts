import { ServiceResponseType, type ServiceInfo } from 'nats';
import { describe, expect, it } from 'vitest';
import { ProviderView, providersOf } from '../src/mesh/provider-view.js';

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
      { service: 'billing', serviceVersion: '1.4.0', instance: 'A', did: 'did:key:zA', capability: 'billing.charge', version: 1, subject: 'hecate.mesh.billing.charge.v1.A' },
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
});
