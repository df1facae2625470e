#!/usr/bin/env bash
# Creates a development CA and one certificate signed by it, for trying Gale
# with TLS (and mutual TLS) on one machine or in containers. Not for
# production: the CA key sits next to the certificates, unencrypted.
#
#   scripts/gen-dev-certs.sh DIR [NAME...]
#
# DIR/ca.pem, DIR/ca.key     the CA (tls.ca_file)
# DIR/gale.pem, DIR/gale.key a certificate for every process, valid as a
#                            server and as a client (tls.cert_file,
#                            tls.key_file), for localhost, 127.0.0.1 and
#                            each NAME (a DNS name or an IP address)
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 DIR [NAME...]" >&2
  exit 2
fi
dir=$1
shift
mkdir -p "$dir"
umask 077

sans="DNS:localhost,IP:127.0.0.1"
for name in "$@"; do
  if [[ $name =~ ^[0-9.]+$ || $name == *:* ]]; then
    sans="$sans,IP:$name"
  else
    sans="$sans,DNS:$name"
  fi
done

openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 825 \
  -subj "/CN=Gale development CA" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null

openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=gale" \
  -keyout "$dir/gale.key" -out "$dir/gale.csr" 2>/dev/null
extensions=$(mktemp)
trap 'rm -f "$extensions" "$dir/gale.csr" "$dir/ca.srl"' EXIT
cat >"$extensions" <<EXT
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=$sans
EXT
openssl x509 -req -sha256 -days 825 -in "$dir/gale.csr" \
  -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
  -extfile "$extensions" -out "$dir/gale.pem" 2>/dev/null

chmod 644 "$dir/ca.pem" "$dir/gale.pem"
echo "wrote $dir/ca.pem and $dir/gale.pem (+ keys) for $sans"
