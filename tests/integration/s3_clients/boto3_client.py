"""gale-s3 driven by boto3 (Debian's python3-boto3), run by s3_clients_itest.cc.

Usage: boto3_client.py ENDPOINT BUCKET WORK_DIR; the access key and secret
come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. Creates BUCKET, checks
listings over 2,500 keys page by page with and without delimiters, batch
deletes, a presigned GET fetched with urllib, object attributes through
head_object and a few uploads compared byte for byte; prints one line per
check and exits non-zero (with a traceback) at the first difference.
"""

import concurrent.futures
import hashlib
import os
import sys
import urllib.error
import urllib.request

import boto3
from botocore.config import Config

ENDPOINT, BUCKET, WORK_DIR = sys.argv[1:4]

s3 = boto3.client(
    "s3",
    endpoint_url=ENDPOINT,
    region_name="us-east-1",
    config=Config(max_pool_connections=16, retries={"max_attempts": 1}),
)


def check(what, actual, expected):
    if actual != expected:
        raise AssertionError(f"{what}: got {actual!r}, expected {expected!r}")


def pages(operation, **kwargs):
    """Every page of a paginated listing, and the number of pages."""
    result = list(s3.get_paginator(operation).paginate(**kwargs))
    return result, len(result)


s3.create_bucket(Bucket=BUCKET)

# --- 2,500 keys: 25 "directories" of 99 keys, and 25 at the top ----------
DIRS = [f"list/d{d:02}/" for d in range(25)]
keys = [f"{d}k{i:03}" for d in DIRS for i in range(99)] + [f"list/top{i:02}" for i in range(25)]
check("key count", len(keys), 2500)


def put_small(key):
    # Empty but for a few: the keys are what is listed.
    s3.put_object(Bucket=BUCKET, Key=key, Body=key.encode() if key.startswith("list/top") else b"")


with concurrent.futures.ThreadPoolExecutor(max_workers=12) as pool:
    list(pool.map(put_small, keys))
print("put 2500 keys")

# Everything, in key order, over pages of 1000 (the gateway's largest).
listed, count = pages("list_objects_v2", Bucket=BUCKET)
check("v2 pages", count, 3)
check("v2 keys", [o["Key"] for p in listed for o in p.get("Contents", [])], sorted(keys))
check("v2 sizes", {o["Size"] for p in listed for o in p["Contents"]}, {0, len("list/top00")})
etag = '"' + hashlib.md5(b"list/top07").hexdigest() + '"'
check("v2 etag", [o["ETag"] for p in listed for o in p["Contents"] if o["Key"] == "list/top07"],
      [etag])

# With a delimiter, in pages of 7: prefixes and keys interleaved across pages.
listed, count = pages("list_objects_v2", Bucket=BUCKET, Prefix="list/", Delimiter="/",
                      PaginationConfig={"PageSize": 7})
prefixes = [c["Prefix"] for p in listed for c in p.get("CommonPrefixes", [])]
top = [o["Key"] for p in listed for o in p.get("Contents", [])]
check("v2 delimiter prefixes", prefixes, DIRS)
check("v2 delimiter keys", top, [k for k in sorted(keys) if k.startswith("list/top")])
check("v2 delimiter pages", count, 50 // 7 + 1)
for page in listed:
    check("v2 page size", page["KeyCount"] <= 7, True)
    check("v2 delimiter echoed", (page["Prefix"], page["Delimiter"]), ("list/", "/"))

# One directory, and the keys after a StartAfter.
listed, _ = pages("list_objects_v2", Bucket=BUCKET, Prefix="list/d07/", Delimiter="/",
                  PaginationConfig={"PageSize": 40})
check("v2 one directory", [o["Key"] for p in listed for o in p.get("Contents", [])],
      [k for k in keys if k.startswith("list/d07/")])
check("v2 one directory prefixes", [c for p in listed for c in p.get("CommonPrefixes", [])], [])
listed, _ = pages("list_objects_v2", Bucket=BUCKET, StartAfter="list/d23/k050",
                  Delimiter="/", Prefix="list/d2")
check("v2 start-after", [o["Key"] for p in listed for o in p.get("Contents", [])], [])
check("v2 start-after prefixes", [c["Prefix"] for p in listed for c in p.get("CommonPrefixes", [])],
      ["list/d23/", "list/d24/"])

# ListObjects v1: NextMarker with a delimiter, the last key without.
listed, count = pages("list_objects", Bucket=BUCKET, Prefix="list/", Delimiter="/",
                      PaginationConfig={"PageSize": 10})
check("v1 delimiter prefixes", [c["Prefix"] for p in listed for c in p.get("CommonPrefixes", [])],
      DIRS)
check("v1 delimiter keys", [o["Key"] for p in listed for o in p.get("Contents", [])],
      [k for k in sorted(keys) if k.startswith("list/top")])
check("v1 delimiter pages", count, 5)
listed, count = pages("list_objects", Bucket=BUCKET, PaginationConfig={"PageSize": 600})
check("v1 keys", [o["Key"] for p in listed for o in p.get("Contents", [])], sorted(keys))
check("v1 pages", count, 5)
print("listings ok")

# --- batch delete: 1000 keys a request, one of them never there -----------
doomed = [k for k in keys if not k.startswith("list/d00/")]
s3.delete_object(Bucket=BUCKET, Key=doomed[0])
rest = doomed[1:]
batches = [rest[:999] + ["list/never-there"], rest[999:1999], rest[1999:]]
for batch in batches:
    result = s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": k} for k in batch]})
    check("delete errors", result.get("Errors", []), [])
    check("deleted", sorted(d["Key"] for d in result["Deleted"]), sorted(batch))
quiet = s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": "list/d00/k098"}],
                                                 "Quiet": True})
check("quiet delete", (quiet.get("Deleted", []), quiet.get("Errors", [])), ([], []))
listed, _ = pages("list_objects_v2", Bucket=BUCKET)
check("left after deletes", [o["Key"] for p in listed for o in p.get("Contents", [])],
      [f"list/d00/k{i:03}" for i in range(98)])
print("batch delete ok")

# --- bytes: put_object and get_object, a presigned GET ----------------------
payload = os.urandom(3 * 1024 * 1024 + 17)
put = s3.put_object(Bucket=BUCKET, Key="data/payload.bin", Body=payload)
check("put etag", put["ETag"], '"' + hashlib.md5(payload).hexdigest() + '"')
got = s3.get_object(Bucket=BUCKET, Key="data/payload.bin")["Body"].read()
check("get bytes", got == payload, True)
ranged = s3.get_object(Bucket=BUCKET, Key="data/payload.bin", Range="bytes=1000-2999")
check("range bytes", ranged["Body"].read() == payload[1000:3000], True)
check("range header", ranged["ContentRange"], f"bytes 1000-2999/{len(payload)}")

path = os.path.join(WORK_DIR, "upload.bin")
with open(path, "wb") as f:
    f.write(payload[:1024 * 1024])
s3.upload_file(path, BUCKET, "data/uploaded.bin")  # one PUT: under the 8 MiB threshold
s3.download_file(BUCKET, "data/uploaded.bin", path + ".back")
with open(path + ".back", "rb") as f:
    check("upload_file round trip", f.read() == payload[:1024 * 1024], True)

# Debian 12's botocore (1.29) presigns with SigV2 unless told otherwise; the
# gateway takes SigV4 only.
presigner = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1",
                         config=Config(signature_version="s3v4"))
url = presigner.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "data/payload.bin"},
                                ExpiresIn=300)
check("presigned is SigV4", "X-Amz-Signature=" in url, True)
with urllib.request.urlopen(url) as response:
    check("presigned status", response.status, 200)
    check("presigned bytes", response.read() == payload, True)
url = presigner.generate_presigned_url(
    "get_object", ExpiresIn=300,
    Params={"Bucket": BUCKET, "Key": "data/payload.bin",
            "ResponseContentDisposition": "attachment; filename=copy.bin"})
with urllib.request.urlopen(url) as response:
    check("presigned override", response.headers["Content-Disposition"],
          "attachment; filename=copy.bin")
    check("presigned override bytes", response.read() == payload, True)
# The default presigned URL of botocore 1.29 (SigV2) is refused with a message
# that says why.
url = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "data/payload.bin"})
if "AWSAccessKeyId=" in url:
    try:
        urllib.request.urlopen(url)
        raise AssertionError("a SigV2 presigned URL was served")
    except urllib.error.HTTPError as e:
        check("SigV2 presigned status", e.code, 400)
        check("SigV2 presigned answer", b"Please use AWS4-HMAC-SHA256" in e.read(), True)
print("bytes and presigned ok")

# --- attributes through head_object ----------------------------------------
s3.put_object(Bucket=BUCKET, Key="data/report.pdf", Body=b"%PDF-1.4 not really",
              Metadata={"color": "blue", "Mixed-Case": "Some Value"},
              ContentType="application/pdf",
              ContentDisposition='attachment; filename="report.pdf"',
              CacheControl="max-age=60, private")
head = s3.head_object(Bucket=BUCKET, Key="data/report.pdf")
check("metadata", head["Metadata"], {"color": "blue", "mixed-case": "Some Value"})
check("content type", head["ContentType"], "application/pdf")
check("content disposition", head["ContentDisposition"], 'attachment; filename="report.pdf"')
check("cache control", head["CacheControl"], "max-age=60, private")
check("content length", head["ContentLength"], len(b"%PDF-1.4 not really"))
got = s3.get_object(Bucket=BUCKET, Key="data/report.pdf")
check("get metadata", got["Metadata"], head["Metadata"])
check("get body", got["Body"].read(), b"%PDF-1.4 not really")
print("attributes ok")

# --- a missing key is a ClientError with S3's code --------------------------
try:
    s3.head_object(Bucket=BUCKET, Key="data/missing")
    raise AssertionError("head of a missing key succeeded")
except s3.exceptions.ClientError as e:
    check("missing key status", e.response["ResponseMetadata"]["HTTPStatusCode"], 404)
try:
    s3.get_object(Bucket=BUCKET, Key="data/missing")
    raise AssertionError("get of a missing key succeeded")
except s3.exceptions.NoSuchKey:
    pass
print("errors ok")
print("boto3: all checks passed")
