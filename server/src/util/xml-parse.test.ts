import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeXmlReferences, parseXmlBody, listOf, textOf, xmlDocumentParser, XmlParseError } from './xml-parse.js';

const isCode = (code: string) => (err: unknown) => err instanceof XmlParseError && err.code === code;

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

test('entity bombs and external entities are refused, never expanded (S3 bodies and ACL documents alike)', () => {
  const lol = '<!ENTITY lol "lollollollollollollollollollol">';
  const levels = Array.from({ length: 8 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('');
  const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [${lol}${levels}]><Delete><Object><Key>&lol8;</Key></Object></Delete>`;
  const xxe = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><Delete><Object><Key>&x;</Key></Object></Delete>';
  const doctypeOnly = '<!doctype Delete><Delete><Object><Key>k</Key></Object></Delete>';
  const acl = xmlDocumentParser({ attributes: true, trimValues: true, lists: ['Grant'] });
  for (const text of [bomb, xxe, doctypeOnly]) {
    assert.throws(() => parseXmlBody(text, 'Delete'), isCode('MalformedXML'));
    assert.throws(() => acl(text), isCode('MalformedXML'));
  }
});

test("only XML's own references decode, in one pass; an undeclared name stays as written", () => {
  assert.equal(decodeXmlReferences('&lt;&gt;&amp;&quot;&apos;'), '<>&"\'');
  assert.equal(decodeXmlReferences('&#34;&#x22;&#x1F600;'), '""\u{1F600}');
  assert.equal(decodeXmlReferences('&amp;lt;'), '&lt;');
  assert.equal(decodeXmlReferences('&lol;'), '&lol;');
  assert.throws(() => decodeXmlReferences('&#0;'), isCode('MalformedXML'));
  const body = parseXmlBody('<Delete><Object><Key>&lol;&#38;lt;</Key></Object></Delete>', 'Delete');
  assert.equal(textOf(listOf(body, 'Object')[0]!, 'Key'), '&lol;&lt;');
});

test('CDATA is taken literally', () => {
  const body = parseXmlBody('<Delete><Object><Key><![CDATA[a&amp;b]]></Key></Object></Delete>', 'Delete');
  assert.equal(textOf(listOf(body, 'Object')[0]!, 'Key'), 'a&amp;b');
});
