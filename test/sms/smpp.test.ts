import assert from 'node:assert/strict';
import { join } from 'node:path';
import { testContext, type TestContext } from '../support/context.ts';
import { loadConfig } from '../../portal/config.ts';
import { createSmsGateway, SmsError, type SmsService } from '../../portal/sms/index.ts';
import type { SmppGateway } from '../../portal/sms/smpp.ts';
import type { Pdu } from 'smpp';
import type { InboundSms } from '../../portal/sms/inbound.ts';
import { capturedLogger, smppPeer, type SmppPeer } from './peers.ts';

const TO = '+359881234567';
const udhOf = (pdu: Pdu) => (pdu.short_message.udh as Buffer[] | undefined)?.map((u) => [...u]);

describe('sms: smpp gateway against a local SMSC', () => {
  let ctx: TestContext;
  let peer: SmppPeer;
  let sms: SmsService | undefined;
  afterEach(async () => {
    await sms?.close();
    await peer?.close();
    await ctx?.cleanup();
    sms = undefined;
  });

  const start = async (env: Record<string, string> = {}, creds = { systemId: 'foyer', password: 'secret1' }) => {
    ctx = await testContext();
    peer = await smppPeer(creds);
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: ctx.dir,
      DATABASE_URL: join(ctx.dir, 'foyer.db'),
      SECRET_KEY: 'test-secret-key-0123456789abcdef0123456789',
      SMS_GATEWAY: 'smpp',
      SMS_SMPP_URL: `smpp://foyer:secret1@127.0.0.1:${peer.port}`,
      SMS_FROM: 'FoyerWiFi',
      SMS_TIMEOUT_MS: '1500',
      ...env,
    });
    sms = createSmsGateway(config, capturedLogger().log, ctx);
    return sms;
  };

  it('binds as transmitter and sends short Latin text as one GSM 7-bit submit_sm', async () => {
    const sms = await start({ SMS_SMPP_SYSTEM_TYPE: 'foyer' });
    const res = await sms.send({ to: TO, text: 'Your Wi-Fi code is 123456 [valid 10 min] €0', purpose: 'code' });
    assert.equal(peer.binds.length, 1);
    assert.equal(peer.binds[0].command, 'bind_transmitter');
    assert.equal(peer.binds[0].system_id, 'foyer');
    assert.equal(peer.binds[0].system_type, 'foyer');
    assert.equal(peer.submits.length, 1);
    const pdu = peer.submits[0];
    assert.equal(pdu.data_coding, 0);
    assert.equal(pdu.esm_class & 0x40, 0);
    assert.equal(pdu.destination_addr, '359881234567');
    assert.equal(pdu.dest_addr_ton, 1);
    assert.equal(pdu.source_addr, 'FoyerWiFi');
    assert.equal(pdu.source_addr_ton, 5);
    assert.equal(pdu.registered_delivery, 0);
    assert.equal(pdu.short_message.message, 'Your Wi-Fi code is 123456 [valid 10 min] €0');
    assert.equal(res.parts, 1);
    assert.equal(res.ref, '1000');
    const row = await sms.messages.get(res.messageId!);
    assert.equal(row?.gateway_ref, '1000');
    assert.equal(row?.status, 'sent');
  });

  it('sends Bulgarian as UCS-2, split into parts with a concatenation header', async () => {
    const sms = await start();
    const text =
      'Благодарим ви! Ще получавате до 4 SMS с оферти на месец от Кафе „Липа“. Отговорете СТОП, за да се отпишете, или ПОМОЩ за помощ. Възможни са такси.';
    const res = await sms.send({ to: TO, text, purpose: 'confirmation' });
    assert.equal(res.parts, 3);
    assert.equal(peer.submits.length, 3);
    const ref = peer.submits[0].short_message.udh[0][2];
    peer.submits.forEach((pdu, i) => {
      assert.equal(pdu.data_coding, 8);
      assert.equal(pdu.esm_class & 0x40, 0x40);
      assert.deepEqual(udhOf(pdu), [[0x00, 0x03, ref, 3, i + 1]]);
    });
    assert.equal(peer.submits.map((p) => p.short_message.message).join(''), text);
    assert.deepEqual(
      peer.submits.map((p) => p.short_message.message.length),
      [67, 67, text.length - 134],
    );
  });

  it('splits long GSM text in 153-septet parts', async () => {
    const sms = await start();
    const text = 'Offer: '.padEnd(200, 'x');
    await sms.send({ to: TO, text, purpose: 'offer' });
    assert.equal(peer.submits.length, 2);
    assert.equal(peer.submits[0].data_coding, 0);
    assert.equal(peer.submits[0].short_message.message.length, 153);
    assert.equal(peer.submits.map((p) => p.short_message.message).join(''), text);
    assert.deepEqual(udhOf(peer.submits[1])![0].slice(3), [2, 2]);
  });

  it('counts nothing as sent when the SMSC refuses (ESME_RINVDSTADR), and does not retry', async () => {
    const sms = await start();
    peer.submitStatus = () => 0x0b;
    await assert.rejects(
      sms.send({ to: TO, text: 'x', purpose: 'code' }),
      (e: unknown) => e instanceof SmsError && !e.transient && /0xb/.test(e.message),
    );
    assert.equal(peer.submits.length, 1);
    const [row] = await sms.messages.forNumber(TO);
    assert.equal(row.status, 'failed');
    assert.equal(row.gateway_ref, null);
  });

  it('retries a throttled submit (ESME_RTHROTTLED)', async () => {
    const sms = await start();
    peer.submitStatus = (n) => (n === 1 ? 0x58 : 0);
    const res = await sms.send({ to: TO, text: 'x', purpose: 'code' });
    assert.equal(peer.submits.length, 2);
    assert.equal((await sms.messages.get(res.messageId!))?.attempts, 2);
  });

  it('fails, transiently, when the bind is refused', async () => {
    const sms = await start({ SMS_TIMEOUT_MS: '300' }, { systemId: 'foyer', password: 'not-ours' });
    await assert.rejects(
      sms.send({ to: TO, text: 'x', purpose: 'code' }),
      (e: unknown) => e instanceof SmsError && e.transient && /Not bound/.test(e.message),
    );
    assert.ok(peer.binds.length >= 1);
    assert.equal(peer.submits.length, 0);
    const [row] = await sms.messages.forNumber(TO);
    assert.equal(row.status, 'failed');
  });

  it('re-binds after the connection drops, and sends again', async () => {
    const sms = await start();
    await sms.send({ to: TO, text: 'first', purpose: 'code' });
    const gw = sms.raw as SmppGateway;
    peer.dropAll();
    await peer.waitFor(() => !gw.isBound);
    await peer.waitFor(() => gw.isBound && peer.binds.length === 2);
    await sms.send({ to: TO, text: 'second', purpose: 'code' });
    assert.deepEqual(
      peer.submits.map((p) => p.short_message.message),
      ['first', 'second'],
    );
  });

  it('keeps the bind alive with enquire_link', async () => {
    const sms = await start({ SMS_SMPP_ENQUIRE_LINK_MS: '1000' });
    await sms.send({ to: TO, text: 'x', purpose: 'code' });
    await peer.waitFor(() => peer.enquireLinks >= 1, 3000);
    assert.equal(peer.binds.length, 1);
  });

  it('as transceiver, asks for receipts and applies them: DELIVRD, UNDELIV with a permanent error, TLV form', async () => {
    const sms = await start({ SMS_SMPP_BIND: 'transceiver' });
    const a = await sms.send({ to: TO, text: 'a', purpose: 'code' });
    const b = await sms.send({ to: '+359887777777', text: 'b', purpose: 'code' });
    const c = await sms.send({ to: '+359886666666', text: 'c', purpose: 'code' });
    assert.equal(peer.binds[0].command, 'bind_transceiver');
    assert.equal(peer.submits[0].registered_delivery, 1);
    const receipt = (id: string, stat: string, err: string) =>
      `id:${id} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:2611290610 done date:2611290611 stat:${stat} err:${err} text:x`;
    const r1 = await peer.deliver({
      source_addr: '359881234567',
      destination_addr: 'FoyerWiFi',
      esm_class: 0x04,
      short_message: receipt(a.ref, 'DELIVRD', '000'),
    });
    assert.equal(r1.command_status, 0);
    await peer.deliver({
      source_addr: '359887777777',
      destination_addr: 'FoyerWiFi',
      esm_class: 0x04,
      short_message: receipt(b.ref, 'UNDELIV', '001'),
    });
    await peer.deliver({
      source_addr: '359886666666',
      destination_addr: 'FoyerWiFi',
      esm_class: 0x04,
      receipted_message_id: c.ref,
      message_state: 5,
      short_message: 'x',
    });
    assert.equal((await sms.messages.get(a.messageId!))?.status, 'delivered');
    assert.equal((await sms.messages.get(b.messageId!))?.status, 'undeliverable');
    assert.equal((await sms.messages.get(b.messageId!))?.error_code, '001');
    // UNDELIV without a permanent error code: failed, the number is not condemned.
    assert.equal((await sms.messages.get(c.messageId!))?.status, 'failed');
  });

  it('as transceiver, takes deliver_sm as inbound SMS (UCS-2 Cyrillic), once, and replies through the SMSC', async () => {
    const sms = await start({ SMS_SMPP_BIND: 'transceiver' });
    const seen: InboundSms[] = [];
    sms.inbound.setHandler({ handle: async (m) => (seen.push(m), { reply: 'Отписахте се.', purpose: 'stop' }) });
    await sms.send({ to: TO, text: 'warm-up', purpose: 'code' });
    const deliver = {
      source_addr: '359881234567',
      source_addr_ton: 1,
      destination_addr: '1234',
      esm_class: 0,
      short_message: 'Стоп',
    };
    const resp = await peer.deliver(deliver);
    assert.equal(resp.command_status, 0);
    assert.equal(seen.length, 1);
    assert.equal(seen[0].from, TO);
    assert.equal(seen[0].to, '1234');
    assert.equal(seen[0].text, 'Стоп');
    assert.equal(seen[0].gateway, 'smpp');
    await sms.inbound.idle();
    const reply = peer.submits[1];
    assert.equal(reply.destination_addr, '359881234567');
    assert.equal(reply.data_coding, 8);
    assert.equal(reply.short_message.message, 'Отписахте се.');
    // The SMSC delivers the same message again (it missed our response): stored once, not answered again.
    assert.equal((await peer.deliver(deliver)).command_status, 0);
    await sms.inbound.idle();
    assert.equal(seen.length, 1);
    assert.equal(peer.submits.length, 2);
    const rows = await ctx.db.all<{ text: string; from_masked: string; reply_message_id: string }>(
      'SELECT text, from_masked, reply_message_id FROM sms_inbound',
    );
    assert.equal(rows.length, 1);
    assert.equal(rows[0].text, 'Стоп');
    assert.equal(rows[0].from_masked, '+35988****567');
    assert.equal((await sms.messages.get(rows[0].reply_message_id))?.purpose, 'stop');
  });

  it('asks the SMSC to redeliver when an inbound message could not be handled', async () => {
    const sms = await start({ SMS_SMPP_BIND: 'transceiver' });
    let calls = 0;
    sms.inbound.setHandler({
      handle: async () => {
        if (++calls === 1) throw new Error('database busy');
      },
    });
    await sms.send({ to: TO, text: 'warm-up', purpose: 'code' });
    const deliver = { source_addr: '359881234567', destination_addr: '1234', short_message: 'STOP' };
    assert.equal((await peer.deliver(deliver)).command_status, 0x64);
    assert.equal((await peer.deliver(deliver)).command_status, 0);
    assert.equal(calls, 2);
  });
});
