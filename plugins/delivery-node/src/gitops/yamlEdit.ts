import { isMap, parseDocument } from 'yaml';

/** One value to set: a key path into the document and the value. @public */
export type YamlEdit = [path: string[], value: unknown];

/**
 * Sets values in a YAML document without losing its comments, key order or
 * formatting elsewhere (the `yaml` package's Document API). Maps created or
 * touched on the way are written in block style.
 *
 * @public
 */
export function editYaml(text: string, edits: YamlEdit[]): string {
  const doc = parseDocument(text);
  if (doc.errors.length) {
    throw new Error(`invalid YAML: ${doc.errors[0].message.split('\n')[0]}`);
  }
  // An empty document (comments only) becomes a map on the first setIn.
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new Error('the document is not a YAML map');
  }
  for (const [keyPath, value] of edits) {
    doc.setIn(keyPath, value);
    for (let i = 1; i < keyPath.length; i++) {
      const node = doc.getIn(keyPath.slice(0, i), true);
      if (isMap(node) && node.flow) node.flow = false;
    }
  }
  return doc.toString({ lineWidth: 0 });
}

/** Reads a value at a key path, or undefined. @public */
export function readYaml(text: string, keyPath: string[]): unknown {
  const doc = parseDocument(text);
  return doc.getIn(keyPath);
}
