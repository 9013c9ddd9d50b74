// Validates a Kubernetes object against kubernetes-models' compiled JSON schemas, and also
// rejects fields the schema does not define. The schemas leave additionalProperties open, so
// a misspelt field (`readinesProbe`) passes the library's own validation. We wrap the object
// in proxies that record which properties the validator reads: the compiled validator reads
// every property its schema defines (and, for maps, every key), so a property it never read
// is one the schema does not know.

type Validator = ((data: unknown) => boolean) & {
  errors?: { instancePath: string; message?: string; keyword: string; params: unknown }[] | null;
};

/** kubernetes-models' schema module name for an apiVersion + kind, e.g. IoK8sApiAppsV1Deployment. */
export function schemaName(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['core', apiVersion];
  const groupName = (group ?? '').split('.')[0] ?? '';
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  return `IoK8sApi${cap(groupName)}${cap(version ?? '')}${kind}`;
}

async function loadValidator(apiVersion: string, kind: string): Promise<Validator> {
  const name = schemaName(apiVersion, kind);
  try {
    const module = (await import(`kubernetes-models/_schemas/${name}`)) as { validate: Validator };
    return module.validate;
  } catch (error) {
    throw new Error(
      `no kubernetes-models schema ${name} for ${apiVersion} ${kind}: ${String(error)}`,
    );
  }
}

/** Returns a list of problems ("/spec/replicas: must be integer", "/spec/x: unknown field"). */
export async function validateObject(object: {
  apiVersion: string;
  kind: string;
}): Promise<string[]> {
  const validate = await loadValidator(object.apiVersion, object.kind);
  const reads = new Map<string, Set<string>>();
  const tracked = track(object, '', reads);
  const problems: string[] = [];
  if (!validate(tracked)) {
    for (const error of validate.errors ?? []) {
      problems.push(
        `${error.instancePath || '/'}: ${error.keyword} ${JSON.stringify(error.params)}`,
      );
    }
  }
  for (const path of unknownFields(object, '', reads)) problems.push(`${path}: unknown field`);
  return problems;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function track(value: unknown, path: string, reads: Map<string, Set<string>>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const seen = reads.get(path) ?? new Set<string>();
  reads.set(path, seen);
  return new Proxy(value as object, {
    get(target, key, receiver) {
      const child = Reflect.get(target, key, receiver) as unknown;
      if (typeof key !== 'string') return child;
      seen.add(key);
      return track(child, `${path}/${key}`, reads);
    },
  });
}

function* unknownFields(
  value: unknown,
  path: string,
  reads: Map<string, Set<string>>,
): Generator<string> {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries())
      yield* unknownFields(item, `${path}/${index}`, reads);
    return;
  }
  if (!isPlainObject(value)) return;
  const seen = reads.get(path) ?? new Set<string>();
  for (const [key, child] of Object.entries(value)) {
    if (!seen.has(key)) {
      yield `${path}/${key}`;
      continue;
    }
    yield* unknownFields(child, `${path}/${key}`, reads);
  }
}
