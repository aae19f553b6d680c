import { useState } from 'react';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { deliveryApiRef } from '../../api';
import { mockDeliveryApi } from '../../__testUtils__/render';
import { EnvironmentsPicker } from './EnvironmentsPicker';

/** The picker in a form that keeps its value, as the scaffolder's does. */
function Form(props: {
  initial: unknown;
  onValue: (v: string[] | undefined) => void;
}) {
  const [value, setValue] = useState(props.initial as string[] | undefined);
  return (
    <EnvironmentsPicker
      {...({
        formData: value,
        onChange: (v: string[]) => {
          setValue(v);
          props.onValue(v);
        },
        schema: { title: 'Environments', description: 'In promotion order.' },
        idSchema: { $id: 'root_environments' },
        rawErrors: [],
        required: true,
      } as any)}
    />
  );
}

describe('EnvironmentsPicker', () => {
  it("offers the portal's environments, all chosen at first (even when the form seeded an empty item), in promotion order", async () => {
    const api = mockDeliveryApi();
    const values: Array<string[] | undefined> = [];
    await renderInTestApp(
      <Form initial={[undefined]} onValue={v => values.push(v)} />,
      { apis: [[deliveryApiRef, api]] },
    );
    const prod = await screen.findByRole('checkbox', {
      name: /^prod \(cluster slipway-prod; promotions wait for an approved pull request\)/,
    });
    await waitFor(() => expect(prod).toBeChecked());
    expect(screen.getByRole('checkbox', { name: /^dev/ })).toBeChecked();
    expect(values.at(-1)).toEqual(['dev', 'staging', 'prod']);

    // Unticking staging keeps the others, in promotion order; the choice sticks.
    fireEvent.click(screen.getByRole('checkbox', { name: /^staging/ }));
    expect(values.at(-1)).toEqual(['dev', 'prod']);
    fireEvent.click(screen.getByRole('checkbox', { name: /^staging/ }));
    expect(values.at(-1)).toEqual(['dev', 'staging', 'prod']);
  });

  it('keeps a value the form already holds (the Back button)', async () => {
    const values: Array<string[] | undefined> = [];
    await renderInTestApp(
      <Form initial={['dev']} onValue={v => values.push(v)} />,
      { apis: [[deliveryApiRef, mockDeliveryApi()]] },
    );
    const dev = await screen.findByRole('checkbox', { name: /^dev/ });
    expect(dev).toBeChecked();
    expect(screen.getByRole('checkbox', { name: /^prod/ })).not.toBeChecked();
    expect(values).toEqual([]);
  });
});
