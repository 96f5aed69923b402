import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtoReader, WireError, countPackedVarints, decodePackedVarints } from '../../src/core/formats/onnx/protobuf';

test('varints: small, multi-byte, and negative int64 (ten-byte two\'s complement)', () => {
  const bytes = Uint8Array.from([0x01, 0xac, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x80, 0x80, 0x80, 0x80, 0x10]);
  const r = new ProtoReader(bytes);
  assert.equal(r.varint(), 1);
  assert.equal(r.varint(), 300);
  assert.equal(r.varint(), -1);
  assert.equal(r.varint(), 2 ** 32);
  assert.ok(r.done);
});

test('packed varints are counted without decoding, and decode to the same count', () => {
  const packed = Uint8Array.from([0x05, 0xac, 0x02, 0x00]);
  assert.equal(countPackedVarints(packed), 3);
  assert.deepEqual(decodePackedVarints(packed), [5, 300, 0]);
});

test('a length that runs past the end is an error with a position, not a read past the buffer', () => {
  // field 9 (bytes), length 1000, only 2 bytes follow
  const r = new ProtoReader(Uint8Array.from([0x4a, 0xe8, 0x07, 0x00, 0x00]));
  r.key();
  assert.throws(() => r.bytes(), (e: unknown) => e instanceof WireError && /needs 1000 bytes but only 2 remain/.test(e.message));
});

test('wire types 3, 4, 6, 7 are refused', () => {
  assert.throws(() => new ProtoReader(Uint8Array.from([0x0b])).key(), WireError);
  assert.throws(() => new ProtoReader(Uint8Array.from([0x0f])).key(), WireError);
});
