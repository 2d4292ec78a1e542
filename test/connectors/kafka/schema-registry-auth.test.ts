// The schema registry client's HTTP basic authentication against a registry that requires it: Apicurio Registry
// (scripts/schema-registry.ts) with authentication on, which takes basic credentials as an OAuth client id and
// secret and exchanges them for a token at a real Keycloak (scripts/keycloak.ts), where this file makes a realm
// with a client and a random secret. Right credentials register and fetch schemas (the Avro serde included); none
// or a wrong secret are refused with HTTP 401, and the secret shows in no error.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { inspect } from 'node:util';
import { type KeycloakServer, startKeycloak } from '../../../scripts/keycloak.ts';
import { type SchemaRegistryServer, startSchemaRegistry } from '../../../scripts/schema-registry.ts';
import { avro, SchemaRegistry } from '../../../src/connectors/kafka/index.ts';
import { TwinstreamError } from '../../../src/index.ts';
import { uniqueName } from '../../kafka-setup.ts';

let keycloak: KeycloakServer;
let registry: SchemaRegistryServer;
const client = {
  clientId: 'twinstream-writer',
  secret: Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString('base64url'),
};

before(async () => {
  keycloak = await startKeycloak({ unref: true });
  // The registry checks tokens as the realm's `registry-api` client (Apicurio's default client id).
  await keycloak.createRealm('registry', { bearerOnly: ['registry-api'], services: [client] });
  registry = await startSchemaRegistry({ unref: true, keycloak: { url: keycloak.url, realm: 'registry' } });
});
after(async () => {
  await registry?.stop();
  await keycloak?.stop();
});

const READING = {
  type: 'record',
  name: 'Reading',
  namespace: 'twinstream.test',
  fields: [
    { name: 'sensor', type: 'string' },
    { name: 'value', type: 'double' },
  ],
};

/** The ways a basic-auth secret could leak into text: itself, and the header value carrying it. */
function assertSecretHidden(text: string, username: string, secret: string): void {
  for (const form of [secret, Buffer.from(`${username}:${secret}`).toString('base64')]) {
    assert.ok(!text.includes(form), `a form of the secret appears in:\n${text.slice(0, 2000)}`);
  }
}

test('the registry refuses a client without credentials (HTTP 401): authentication is really on', async () => {
  const anonymous = new SchemaRegistry({ url: registry.url });
  await assert.rejects(anonymous.register(uniqueName('anonymous-value'), READING), (e: unknown) => {
    assert.ok(e instanceof TwinstreamError, String(e));
    assert.equal(e.code, 'TS_SCHEMA_REGISTRY');
    assert.match(
      e.message,
      /registering a schema under "anonymous-value-[^"]+" at http:\/\/127\.0\.0\.1:\d+\/apis\/ccompat\/v7 failed: HTTP 401/,
    );
    return true;
  });
});

test('basic credentials (a client id and secret of the realm) register and fetch schemas', async () => {
  const subject = uniqueName('auth-value');
  const authenticated = new SchemaRegistry({
    url: registry.url,
    auth: { username: client.clientId, password: client.secret },
  });
  const id = await authenticated.register(subject, READING);
  assert.ok(Number.isInteger(id));
  assert.equal((await authenticated.latest(subject)).id, id);
  // A fresh client (nothing cached) fetches the schema by id; the credentials given in the URL this time.
  const url = new URL(registry.url);
  url.username = client.clientId;
  url.password = client.secret;
  const fromUrl = new SchemaRegistry({ url: url.href });
  const fetched = JSON.parse((await fromUrl.schemaById(id)).schema) as { fields: { name: string }[] };
  assert.deepEqual(
    fetched.fields.map((f) => f.name),
    ['sensor', 'value'],
  );
  assert.ok(!fromUrl.url.includes(client.secret), 'the URL the client keeps (and errors name) has no secret');
});

test('an Avro writer registers and a reader fetches its schema by id with basic credentials', async () => {
  const options = { url: registry.url, auth: { username: client.clientId, password: client.secret } };
  const writer = await avro<{ sensor: string; value: number }>({
    registry: options,
    subject: uniqueName('auth-avro-value'),
    schema: READING,
  });
  const bytes = writer.serialize({ sensor: 's1', value: 21.5 });
  const reader = await avro<{ sensor: string; value: number }>({ registry: options });
  await reader.prepare(bytes);
  assert.deepEqual(reader.deserialize(bytes), { sensor: 's1', value: 21.5 });
});

test('a wrong secret is refused with HTTP 401 and TS_SCHEMA_REGISTRY, the secret shown nowhere', async () => {
  const wrong = `not-${client.secret}`;
  const refused = new SchemaRegistry({ url: registry.url, auth: { username: client.clientId, password: wrong } });
  const error = await refused.register(uniqueName('refused-value'), READING).then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(error instanceof TwinstreamError, String(error));
  assert.equal(error.code, 'TS_SCHEMA_REGISTRY');
  assert.match(error.message, /HTTP 401/);
  assertSecretHidden(inspect(error, { depth: Number.POSITIVE_INFINITY }), client.clientId, wrong);
  // And the one given in the URL.
  const url = new URL(registry.url);
  url.username = client.clientId;
  url.password = wrong;
  const inUrl = await new SchemaRegistry({ url: url.href }).schemaById(1).then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(inUrl instanceof TwinstreamError, String(inUrl));
  assert.match(inUrl.message, /HTTP 401/);
  assertSecretHidden(inspect(inUrl, { depth: Number.POSITIVE_INFINITY }), client.clientId, wrong);
});
