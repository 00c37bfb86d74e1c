#!/usr/bin/env bash
# Makes a development CA and a server certificate for 127.0.0.1/localhost, so TLS can be
# tried without a hospital CA:  resources/gen-dev-cert.sh var/tls
# Point hms-server at server.crt/server.key (HMS_TLS_CERT/HMS_TLS_KEY) and the client at ca.crt.
set -euo pipefail
out=${1:-var/tls}
mkdir -p "$out"
cd "$out"
umask 077
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj "/CN=HMS development CA" -keyout ca.key -out ca.crt 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > ext.cnf
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 \
    -extfile ext.cnf -out server.crt 2>/dev/null
rm -f server.csr ext.cnf ca.srl
chmod 644 ca.crt server.crt
echo "wrote $out/{ca.crt,server.crt,server.key}"
