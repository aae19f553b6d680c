import { declaresEntity } from './catalogInfo';

const orders = { kind: 'Component', namespace: 'default', name: 'orders' };

describe('declaresEntity', () => {
  it('finds the entity among the documents, as refs compare', () => {
    const text = [
      'apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: orders-api\n',
      'apiVersion: backstage.io/v1alpha1\nkind: component\nmetadata:\n  name: Orders\n',
    ].join('---\n');
    expect(declaresEntity(text, orders)).toBe(true);
  });

  it.each([
    ['another name', 'kind: Component\nmetadata:\n  name: payments-api\n'],
    [
      'another namespace',
      'kind: Component\nmetadata:\n  name: orders\n  namespace: docs\n',
    ],
    ['another kind', 'kind: Resource\nmetadata:\n  name: orders\n'],
    ['no kind', 'metadata:\n  name: orders\n'],
    ['not YAML', ': : :\n\t- ['],
    ['an empty file', ''],
  ])('does not find it with %s', (_, text) => {
    expect(declaresEntity(text, orders)).toBe(false);
  });
});
