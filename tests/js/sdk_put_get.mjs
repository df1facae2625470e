// gale-s3 driven by the AWS SDK for JavaScript v3 (the version pinned in
// package-lock.json), run by tests/integration/s3_clients_itest.cc.
//
// Usage: node sdk_put_get.mjs ENDPOINT BUCKET WORK_DIR; the key and secret come
// from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. Uploads with the SDK's
// default checksums (a file stream: aws-chunked with a CRC32 trailer,
// STREAMING-UNSIGNED-PAYLOAD-TRAILER; a buffer: an x-amz-checksum-crc32
// header), then an explicit CRC32C, and reads each back with checksum
// validation on, comparing bytes. Prints one line per check; exits non-zero
// at the first difference.

import {CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client,} from '@aws-sdk/client-s3';
import {randomBytes} from 'node:crypto';
import {createReadStream, writeFileSync} from 'node:fs';
import {join} from 'node:path';

const [endpoint, bucket, workDir] = process.argv.slice(2);

// The headers of the last request as sent (after checksums and signing).
let sent = {};
const s3 = new S3Client({endpoint, region: 'us-east-1', forcePathStyle: true, maxAttempts: 1});
s3.middlewareStack.add(
    (next) => async (args) => {
      sent = {...args.request.headers};
      return next(args);
    },
    {step: 'deserialize', name: 'recordSentHeaders'},
);

function check(what, actual, expected) {
  if (actual !== expected) {
    throw new Error(`${what}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  }
}

function crc32Base64(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  const out = Buffer.alloc(4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
  return out.toString('base64');
}

async function getBytes(key) {
  const got = await s3.send(new GetObjectCommand({Bucket: bucket, Key: key}));
  check(`${key}: get asked for checksums`, sent['x-amz-checksum-mode'], 'ENABLED');
  return {response: got, bytes: Buffer.from(await got.Body.transformToByteArray())};
}

await s3.send(new CreateBucketCommand({Bucket: bucket}));

// A file stream: aws-chunked with the CRC32 in a trailer.
const streamed = randomBytes(5 * 1024 * 1024 + 3);
const path = join(workDir, 'streamed.bin');
writeFileSync(path, streamed);
const put = await s3.send(
    new PutObjectCommand({Bucket: bucket, Key: 'sdk/streamed.bin', Body: createReadStream(path)}),
);
check('stream: payload mode', sent['x-amz-content-sha256'], 'STREAMING-UNSIGNED-PAYLOAD-TRAILER');
check('stream: trailer', sent['x-amz-trailer'], 'x-amz-checksum-crc32');
check('stream: content encoding', sent['content-encoding'], 'aws-chunked');
check('stream: answered checksum', put.ChecksumCRC32, crc32Base64(streamed));
let got = await getBytes('sdk/streamed.bin');
check('stream: bytes', Buffer.compare(got.bytes, streamed), 0);
check('stream: stored checksum', got.response.ChecksumCRC32, crc32Base64(streamed));
console.log('stream with CRC32 trailer ok');

// A buffer: the CRC32 in a header, the payload signed.
const buffered = randomBytes(256 * 1024);
await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: 'sdk/buffered.bin',
      Body: buffered,
      ContentType: 'application/x-test',
      Metadata: {origin: 'sdk-js'},
    }),
);
check('buffer: checksum header', sent['x-amz-checksum-crc32'], crc32Base64(buffered));
got = await getBytes('sdk/buffered.bin');
check('buffer: bytes', Buffer.compare(got.bytes, buffered), 0);
check('buffer: content type', got.response.ContentType, 'application/x-test');
check('buffer: metadata', got.response.Metadata.origin, 'sdk-js');
console.log('buffer with CRC32 header ok');

// Another algorithm, asked for by name, in a trailer.
const other = randomBytes(70 * 1024 + 1);
writeFileSync(path, other);
const crc32c = await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: 'sdk/crc32c.bin',
      Body: createReadStream(path),
      ChecksumAlgorithm: 'CRC32C',
    }),
);
check('crc32c: trailer', sent['x-amz-trailer'], 'x-amz-checksum-crc32c');
got = await getBytes('sdk/crc32c.bin');
check('crc32c: bytes', Buffer.compare(got.bytes, other), 0);
check('crc32c: stored checksum', got.response.ChecksumCRC32C, crc32c.ChecksumCRC32C);
console.log('stream with CRC32C trailer ok');

// An empty object, listed, headed and deleted.
await s3.send(new PutObjectCommand({Bucket: bucket, Key: 'sdk/empty', Body: ''}));
got = await getBytes('sdk/empty');
check('empty: bytes', got.bytes.length, 0);
const listed = await s3.send(new ListObjectsV2Command({Bucket: bucket, Prefix: 'sdk/'}));
check(
    'listing',
    listed.Contents.map((o) => `${o.Key}:${o.Size}`).join(','),
    `sdk/buffered.bin:${buffered.length},sdk/crc32c.bin:${other.length},sdk/empty:0,` +
        `sdk/streamed.bin:${streamed.length}`,
);
const head = await s3.send(new HeadObjectCommand({Bucket: bucket, Key: 'sdk/streamed.bin'}));
check('head: size', head.ContentLength, streamed.length);
await s3.send(new DeleteObjectCommand({Bucket: bucket, Key: 'sdk/empty'}));
try {
  await s3.send(new HeadObjectCommand({Bucket: bucket, Key: 'sdk/empty'}));
  throw new Error('head of a deleted key succeeded');
} catch (e) {
  check('deleted: status', e.$metadata?.httpStatusCode, 404);
}
console.log('list, head, delete ok');
console.log('sdk-js: all checks passed');
