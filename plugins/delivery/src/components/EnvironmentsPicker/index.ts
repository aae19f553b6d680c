export {
  EnvironmentsPicker,
  environmentsPickerField,
} from './EnvironmentsPicker';
