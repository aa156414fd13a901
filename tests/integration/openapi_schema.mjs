// Checks a response against what docs/openapi.yaml (as the server serves it) says it may be: the
// status must be one the operation lists, and a JSON body must match the response's schema. The
// schemas use a small part of JSON Schema 2020-12 (type, required, properties,
// additionalProperties, items, enum, allOf, $ref, minimum, maximum, maxLength), and this checks
// exactly that part; a keyword it does not know fails the check rather than passing unseen.
const known = new Set(['type', 'required', 'properties', 'additionalProperties', 'items', 'enum',
  'allOf', '$ref', 'minimum', 'maximum', 'maxLength', 'description', 'format', 'readOnly',
  'writeOnly', 'default']);

function resolve(document, node) {
  while (node && node.$ref) {
    const path = node.$ref.replace(/^#\//, '').split('/');
    node = path.reduce((at, key) => at[key], document);
  }
  return node;
}

function typeOf(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (Number.isInteger(value)) return 'integer';
  return typeof value;
}

function check(document, schema, value, at, errors) {
  schema = resolve(document, schema);
  if (!schema || Object.keys(schema).length === 0) return;
  for (const key of Object.keys(schema)) {
    if (!known.has(key)) errors.push(`${at}: the checker does not know the keyword ${key}`);
  }
  if (schema.allOf) for (const part of schema.allOf) check(document, part, value, at, errors);
  if (schema.type) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    const actual = typeOf(value);
    const ok = types.includes(actual) || (actual === 'integer' && types.includes('number'));
    if (!ok) {
      errors.push(`${at}: ${actual}, expected ${types.join(' or ')}`);
      return;
    }
  }
  if (schema.enum && !schema.enum.includes(value)) {
    errors.push(`${at}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${at}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${at}: above ${schema.maximum}`);
  }
  if (typeof value === 'string' && schema.maxLength !== undefined && value.length > schema.maxLength) {
    errors.push(`${at}: longer than ${schema.maxLength}`);
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((item, i) => check(document, schema.items, item, `${at}[${i}]`, errors));
  }
  if (typeOf(value) === 'object') {
    for (const key of schema.required ?? []) {
      if (!(key in value)) errors.push(`${at}: missing ${key}`);
    }
    const properties = schema.properties ?? {};
    for (const [key, item] of Object.entries(value)) {
      if (properties[key]) {
        const property = resolve(document, properties[key]);
        if (property.writeOnly) errors.push(`${at}.${key}: write-only, yet in a response`);
        check(document, property, item, `${at}.${key}`, errors);
      } else if (schema.additionalProperties === false) {
        errors.push(`${at}: unexpected ${key}`);
      } else if (typeof schema.additionalProperties === 'object') {
        check(document, schema.additionalProperties, item, `${at}.${key}`, errors);
      }
    }
  }
}

// The operation of the document that serves `method` `path` (a concrete path, query removed).
function operationFor(document, method, path) {
  const bare = path.split('?')[0];
  for (const [template, operations] of Object.entries(document.paths)) {
    const pattern = new RegExp('^' + template.replace(/\{[^}]+\}/g, '[^/]+') + '$');
    if (pattern.test(bare) && operations[method.toLowerCase()]) {
      return { template, operation: operations[method.toLowerCase()] };
    }
  }
  return undefined;
}

// Throws, naming every difference, unless the response is one the document describes.
export function checkResponse(document, method, path, status, body) {
  const found = operationFor(document, method, path);
  if (!found) throw new Error(`${method} ${path}: not in the OpenAPI document`);
  const where = `${method} ${found.template} ${status}`;
  const response = resolve(document, found.operation.responses[String(status)]);
  if (!response) throw new Error(`${where}: the document does not list this status`);
  const schema = response.content?.['application/json']?.schema;
  if (!schema) {
    if (body !== null && body !== undefined && status !== 204) {
      throw new Error(`${where}: a body, where the document describes none`);
    }
    return;
  }
  const errors = [];
  check(document, schema, body, 'body', errors);
  if (errors.length) throw new Error(`${where}: ${errors.join('; ')}`);
}
