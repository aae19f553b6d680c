/*
 * Validates Kubernetes objects against Kubernetes' published OpenAPI
 * schemas, compiled into the `kubernetes-models` package (one validator
 * per apiVersion and kind, generated from the Kubernetes release's
 * swagger.json). The package is ES modules only, so this runs as its own
 * Node process: it reads a JSON array of objects on stdin and prints a JSON
 * array with one list of problems per object (empty when valid).
 */

async function modelFor(apiVersion, kind) {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return null;
  try {
    const mod = await import(`kubernetes-models/${apiVersion}/${kind}`);
    return mod[kind] ?? null;
  } catch {
    return null;
  }
}

async function validate(obj) {
  const Model = await modelFor(obj?.apiVersion, obj?.kind);
  if (!Model) {
    return [`no Kubernetes schema for ${obj?.apiVersion} ${obj?.kind}`];
  }
  try {
    new Model(obj).validate();
    return [];
  } catch (e) {
    return String(e.message)
      .split(/,\s*(?=data)/)
      .map(s => s.trim());
  }
}

let input = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) input += chunk;
const objects = JSON.parse(input);
const results = [];
for (const obj of objects) results.push(await validate(obj));
process.stdout.write(JSON.stringify(results));
