import { useEffect, useRef, useState } from 'react';
import { useApi } from '@backstage/frontend-plugin-api';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import type { EnvironmentSummary } from '@internal/backstage-plugin-delivery-common';
import Checkbox from '@material-ui/core/Checkbox';
import FormControl from '@material-ui/core/FormControl';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormGroup from '@material-ui/core/FormGroup';
import FormHelperText from '@material-ui/core/FormHelperText';
import FormLabel from '@material-ui/core/FormLabel';
import { deliveryApiRef } from '../../api';

/** What a developer needs to know to choose an environment. */
function describe(env: EnvironmentSummary): string {
  const parts = [
    env.cluster ? `cluster ${env.cluster}` : undefined,
    env.changes === 'pull-request'
      ? 'promotions wait for an approved pull request'
      : undefined,
  ].filter(Boolean);
  return parts.length ? ` (${parts.join('; ')})` : '';
}

/**
 * The "Create component" wizard's environment choice: the portal's own
 * `slipway.environments`, in promotion order, all chosen by default. The
 * value is the chosen names, kept in promotion order.
 */
export function EnvironmentsPicker(
  props: FieldExtensionComponentProps<string[]>,
) {
  const { onChange, formData, rawErrors, required, schema, idSchema } = props;
  const api = useApi(deliveryApiRef);
  const [road, setRoad] = useState<EnvironmentSummary[]>();
  const [error, setError] = useState<Error>();

  useEffect(() => {
    let live = true;
    api.getEnvironments().then(
      envs => live && setRoad(envs),
      e => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [api]);

  // Every environment, until the developer chooses otherwise: this holds
  // after every render until the developer ticks a box (a value the form
  // already holds, e.g. from the URL or the Back button, is kept).
  const touched = useRef(false);
  // (The form fills an array with `minItems: 1` with one empty item.)
  const chosenNames = (formData ?? []).filter(
    (n): n is string => typeof n === 'string' && n !== '',
  );
  useEffect(() => {
    if (road && !touched.current && chosenNames.length === 0) {
      onChange(road.map(e => e.name));
    }
  });

  const chosen = new Set(chosenNames);
  const toggle = (name: string, on: boolean) => {
    touched.current = true;
    if (on) chosen.add(name);
    else chosen.delete(name);
    onChange((road ?? []).map(e => e.name).filter(n => chosen.has(n)));
  };

  return (
    <FormControl
      component="fieldset"
      required={required}
      error={Boolean(rawErrors?.length) || Boolean(error)}
    >
      <FormLabel component="legend" htmlFor={idSchema?.$id}>
        {schema.title ?? 'Environments'}
      </FormLabel>
      {error && (
        <FormHelperText>
          The portal's environments could not be read: {error.message}
        </FormHelperText>
      )}
      {!road && !error && (
        <FormHelperText>Loading environments…</FormHelperText>
      )}
      <FormGroup>
        {(road ?? []).map(env => (
          <FormControlLabel
            key={env.name}
            control={
              <Checkbox
                checked={chosen.has(env.name)}
                onChange={e => toggle(env.name, e.target.checked)}
                name={env.name}
              />
            }
            label={`${env.name}${describe(env)}`}
          />
        ))}
      </FormGroup>
      {schema.description && (
        <FormHelperText>{schema.description}</FormHelperText>
      )}
    </FormControl>
  );
}

/** `ui:field: SlipwayEnvironmentsPicker` in a template. @alpha */
export const environmentsPickerField = createFormField({
  name: 'SlipwayEnvironmentsPicker',
  component: EnvironmentsPicker,
  validation: (data, validation) => {
    if (!Array.isArray(data) || data.length === 0) {
      validation.addError('Choose at least one environment');
    }
  },
});
