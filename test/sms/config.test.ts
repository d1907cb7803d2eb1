import assert from 'node:assert/strict';
import { loadConfig, ConfigError } from '../../portal/config.ts';

const base = { NODE_ENV: 'test', DATA_DIR: '/tmp/foyer-sms-config' };
const failure = (env: Record<string, string>): string => {
  try {
    loadConfig({ ...base, ...env });
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.message;
  }
  assert.fail('expected a configuration error');
};

describe('sms configuration', () => {
  it('names every variable the chosen gateway is missing', () => {
    assert.match(
      failure({ SMS_GATEWAY: 'twilio' }),
      /TWILIO_ACCOUNT_SID: required when SMS_GATEWAY=twilio[\s\S]*TWILIO_AUTH_TOKEN[\s\S]*TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID/,
    );
    const smpp = failure({ SMS_GATEWAY: 'smpp' });
    assert.match(smpp, /SMS_SMPP_URL: required/);
    assert.match(smpp, /SMS_FROM: required/);
    assert.match(failure({ SMS_GATEWAY: 'http' }), /SMS_HTTP_URL: required when SMS_GATEWAY=http/);
    assert.match(
      failure({ SMS_GATEWAY: 'http', SMS_HTTP_URL: 'http://x.test/send' }),
      /SMS_HTTP_BODY: required when SMS_HTTP_METHOD=POST/,
    );
  });

  it('rejects malformed values with what is allowed', () => {
    assert.match(failure({ SMS_HTTP_HEADERS: '{not json' }), /SMS_HTTP_HEADERS: must be JSON/);
    assert.match(failure({ SMS_HTTP_SUCCESS: '2xx' }), /SMS_HTTP_SUCCESS: must be status codes or ranges/);
    assert.match(
      failure({ SMS_SMPP_URL: 'http://host' }),
      /SMS_SMPP_URL: must be smpp:\/\/system_id:password@host:port/,
    );
    assert.match(failure({ TWILIO_ACCOUNT_SID: 'AC123' }), /TWILIO_ACCOUNT_SID: must be AC followed by 32 hex digits/);
    assert.match(failure({ SMS_INBOUND_FIELDS: 'sender=msisdn' }), /SMS_INBOUND_FIELDS: must be pairs like from=name/);
  });

  it('refuses at start-up an http body whose values it cannot escape', () => {
    const http = { SMS_GATEWAY: 'http', SMS_HTTP_URL: 'http://x.test/send' };
    assert.match(
      failure({
        ...http,
        SMS_HTTP_BODY: '--b\r\n{{text}}',
        SMS_HTTP_HEADERS: '{"Content-Type":"multipart/form-data; boundary=b"}',
      }),
      /SMS_HTTP_BODY: .*multipart\/form-data/,
    );
    assert.match(
      failure({ ...http, SMS_HTTP_BODY: '{{text}}', SMS_HTTP_HEADERS: '{"Content-Type":"application/octet-stream"}' }),
      /SMS_HTTP_BODY: .*application\/json, application\/x-www-form-urlencoded, application\/xml or text\/plain/,
    );
    // A JSON placeholder outside a string literal would take the value as JSON itself.
    assert.match(
      failure({
        ...http,
        SMS_HTTP_BODY: '{"to":"{{to}}","text":{{text}}}',
        SMS_HTTP_HEADERS: '{"Content-Type":"application/json"}',
      }),
      /SMS_HTTP_BODY: .*inside a JSON string/,
    );
    for (const type of [
      'application/json',
      'application/vnd.api+json; charset=utf-8',
      'application/x-www-form-urlencoded',
      'text/xml',
      'application/soap+xml',
      'text/plain',
    ]) {
      const body = type.includes('json') ? '{"to":"{{to}}","text":"{{text}}"}' : '{{text}}';
      assert.equal(
        loadConfig({
          ...base,
          ...http,
          SMS_HTTP_BODY: body,
          SMS_HTTP_HEADERS: JSON.stringify({ 'content-type': type }),
        }).smsGateway,
        'http',
        type,
      );
    }
  });

  it('parses a complete configuration', () => {
    const c = loadConfig({
      ...base,
      SMS_GATEWAY: 'http',
      SMS_HTTP_URL: 'https://sms.example/send',
      SMS_HTTP_BODY: '{"to":"{{to}}"}',
      SMS_HTTP_HEADERS: '{"Content-Type":"application/json"}',
      SMS_HTTP_SUCCESS: '200,202-204',
      SMS_INBOUND_FIELDS: 'from=msisdn,text=message',
    });
    assert.deepEqual(c.SMS_HTTP_HEADERS, { 'Content-Type': 'application/json' });
    assert.deepEqual(c.SMS_HTTP_SUCCESS, [
      [200, 200],
      [202, 204],
    ]);
    assert.deepEqual(c.SMS_INBOUND_FIELDS, { from: 'msisdn', to: 'to', text: 'message', id: 'id' });
    assert.equal(c.smsGateway, 'http');
    const t = loadConfig({
      ...base,
      SMS_GATEWAY: 'twilio',
      TWILIO_ACCOUNT_SID: 'AC' + 'a'.repeat(32),
      TWILIO_AUTH_TOKEN: 'x'.repeat(32),
      TWILIO_MESSAGING_SERVICE_SID: 'MG' + 'b'.repeat(32),
    });
    assert.equal(t.TWILIO_API_BASE, 'https://api.twilio.com');
  });
});
