import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXmlBody, listOf, textOf } from './xml-parse.js';
import { S3Error } from './errors.js';

const isCode = (code: string) => (err: unknown) => err instanceof S3Error && err.code === code;

test('parses a Delete body and keeps whitespace in keys', () => {
  const body = parseXmlBody(
    '<?xml version="1.0"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet><Object><Key> a b </Key></Object><Object><Key>c&amp;d</Key></Object></Delete>',
    'Delete',
  );
  assert.equal(textOf(body, 'Quiet'), 'true');
  assert.deepEqual(
    listOf(body, 'Object').map((o) => textOf(o, 'Key')),
    [' a b ', 'c&d'],
  );
});

test('refuses DOCTYPE, entities and broken XML with MalformedXML', () => {
  const bomb =
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><Delete><Object><Key>&lol2;</Key></Object></Delete>';
  assert.throws(() => parseXmlBody(bomb, 'Delete'), isCode('MalformedXML'));
  assert.throws(() => parseXmlBody('<Delete><Object>', 'Delete'), isCode('MalformedXML'));
  assert.throws(() => parseXmlBody('', 'Delete'), isCode('MalformedXML'));
  assert.throws(() => parseXmlBody('<Other/>', 'Delete'), isCode('MalformedXML'));
});

test('parses CompleteMultipartUpload parts as a list even for one part', () => {
  const body = parseXmlBody(
    '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"abc"</ETag></Part></CompleteMultipartUpload>',
    'CompleteMultipartUpload',
  );
  const parts = listOf(body, 'Part');
  assert.equal(parts.length, 1);
  assert.equal(textOf(parts[0]!, 'PartNumber'), '1');
  assert.equal(textOf(parts[0]!, 'ETag'), '"abc"');
});

test('numeric character references decode (Go clients escape ETag quotes as &#34;)', () => {
  const body = parseXmlBody(
    '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&#34;abc&#34;</ETag></Part></CompleteMultipartUpload>',
    'CompleteMultipartUpload',
  );
  assert.equal(textOf(listOf(body, 'Part')[0]!, 'ETag'), '"abc"');
});
