#!/usr/bin/env bash
# A throwaway CA and a server certificate for 127.0.0.1 / localhost, for the nginx tests only.
#
#   bash tests/deploy/make-cert.sh DIR    writes DIR/ca.pem, DIR/cert.pem (chain), DIR/key.pem
#
# Idempotent: an existing DIR/cert.pem is kept. The CA's key is deleted once it has signed, so
# nothing else can ever be signed with it; everything lives 2 days.
set -euo pipefail
dir=${1:?usage: make-cert.sh DIR}
mkdir -p -- "$dir"
[[ -s $dir/cert.pem && -s $dir/key.pem && -s $dir/ca.pem ]] && exit 0
cd -- "$dir"
umask 077
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=ejournal test CA" -addext "basicConstraints=critical,CA:true" \
    -addext "keyUsage=critical,keyCertSign" -keyout ca-key.pem -out ca.pem 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
    -keyout key.pem -out cert.csr 2>/dev/null
printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=CA:false" \
    "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >ext.cnf
openssl x509 -req -in cert.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 \
    -extfile ext.cnf -out cert.pem 2>/dev/null
rm -f ca-key.pem cert.csr ext.cnf ca.srl
chmod 644 ca.pem cert.pem
