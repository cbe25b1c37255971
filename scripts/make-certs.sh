#!/usr/bin/env bash
# Regenerates the TLS files of lessons 16-19 (run by hand; nothing at run time needs openssl).
#
#   lessons/certs/            shipped to the learner's workspace (CURRICULUM.md "TLS files"):
#     ca-cert.pem             the test CA, CN=httpdojo test CA (its private key is thrown away)
#     localhost-cert.pem      leaf for DNS:localhost, IP:127.0.0.1, IP:::1, EC P-256
#     localhost-key.pem
#   lessons/certs/checks/     the servers lesson 17 and 19 clients must refuse, used by the checks only:
#     wrong-host-*.pem        issued by the test CA for DNS:wrong.example only
#     other-ca-*.pem          a localhost leaf issued by another CA (its CA cert: other-ca-root.pem)
#     self-signed-*.pem       a self-signed localhost certificate
#     expired-*.pem           a localhost leaf from the test CA, valid 2020-01-01 to 2021-12-31
#
# Validity dates are fixed (2025-01-01 to 2052-12-31), not "now + N days": a learner
# whose clock is behind the day these were made would otherwise get CERT_NOT_YET_VALID.
# OpenSSL 3.0's `x509 -req` cannot set dates, so every certificate goes through `openssl ca`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/lessons/certs"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out/checks"
cd "$work"

# GeneralizedTime (four-digit years): a two-digit 52 would mean 1952 (RFC 5280 4.1.2.5).
FROM=20250101000000Z
UNTIL=20521231235959Z

config() { # $1 = extensions section body
  cat > ca.cnf <<CNF
[ ca ]
default_ca = this
[ this ]
database = $work/index.txt
new_certs_dir = $work
serial = $work/serial
default_md = sha256
policy = any
copy_extensions = none
unique_subject = no
[ any ]
commonName = supplied
[ ext ]
$1
CNF
  : > index.txt
  openssl rand -hex 16 > serial
}

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# $1 name, $2 CN, $3 extensions, $4 signing cert ("self" for self-signed), $5 signing key, $6 from, $7 until
issue() {
  local name=$1 cn=$2 ext=$3 cacert=$4 cakey=$5 from=$6 until=$7
  key "$name-key.pem"
  openssl req -new -key "$name-key.pem" -subj "/CN=$cn" -out "$name.csr" 2>/dev/null
  config "$ext"
  if [ "$cacert" = self ]; then
    openssl ca -batch -config ca.cnf -selfsign -keyfile "$name-key.pem" -in "$name.csr" -out "$name-cert.pem" \
      -startdate "$from" -enddate "$until" -extensions ext -notext 2>/dev/null
  else
    openssl ca -batch -config ca.cnf -cert "$cacert" -keyfile "$cakey" -in "$name.csr" -out "$name-cert.pem" \
      -startdate "$from" -enddate "$until" -extensions ext -notext 2>/dev/null
  fi
}

CA_EXT=$'basicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash'
LEAF=$'basicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature\nextendedKeyUsage = serverAuth\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid'
LOCALHOST="$LEAF"$'\nsubjectAltName = DNS:localhost,IP:127.0.0.1,IP:::1'

issue ca "httpdojo test CA" "$CA_EXT" self - 20200101000000Z $UNTIL
issue localhost localhost "$LOCALHOST" ca-cert.pem ca-key.pem $FROM $UNTIL
issue wrong-host wrong.example "$LEAF"$'\nsubjectAltName = DNS:wrong.example' ca-cert.pem ca-key.pem $FROM $UNTIL
issue expired localhost "$LOCALHOST" ca-cert.pem ca-key.pem 20200101000000Z 20211231235959Z
issue other-ca-root "httpdojo other CA" "$CA_EXT" self - $FROM $UNTIL
issue other-ca localhost "$LOCALHOST" other-ca-root-cert.pem other-ca-root-key.pem $FROM $UNTIL
issue self-signed localhost "$LOCALHOST" self - $FROM $UNTIL

cp ca-cert.pem localhost-cert.pem localhost-key.pem "$out/"
for name in wrong-host expired other-ca self-signed; do cp "$name-cert.pem" "$name-key.pem" "$out/checks/"; done
cp other-ca-root-cert.pem "$out/checks/other-ca-root.pem"
echo "wrote $(ls "$out" "$out/checks" | grep -c pem) files under $out"
