#!/usr/bin/env bash
# Test certificates for the client's TLS checks (SECURITY.md X2), made fresh per run:
#   make-tls-certs.sh DIR  ->  DIR/ca.crt       a "hospital" CA the client is told to trust
#                              DIR/server.key   the server key all certificates below share
#                              DIR/good.crt     127.0.0.1/localhost, valid now
#                              DIR/wronghost.crt elsewhere.example only (CN and SAN), valid now
#                              DIR/expired.crt  127.0.0.1/localhost, expired in 2020
#                              DIR/stranger-ca.crt, DIR/stranger.crt  the same host from a CA
#                                               nobody trusts
set -euo pipefail
out=$1
mkdir -p "$out"
cd "$out"
umask 077

ec() { printf '%s' "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"; }
# shellcheck disable=SC2046 # ec() expands to several words on purpose
openssl req -x509 $(ec) -days 30 -subj "/CN=HMS test hospital CA" -keyout ca.key -out ca.crt 2>/dev/null
# shellcheck disable=SC2046
openssl req -x509 $(ec) -days 30 -subj "/CN=Stranger CA" -keyout stranger-ca.key \
    -out stranger-ca.crt 2>/dev/null
# shellcheck disable=SC2046
openssl req $(ec) -subj "/CN=127.0.0.1" -keyout server.key -out server.csr 2>/dev/null

cat >ca.cnf <<'CNF'
[ ca ]
default_ca = test_ca
[ test_ca ]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any_name
unique_subject = no
[ any_name ]
commonName = supplied
[ good ]
subjectAltName = IP:127.0.0.1,DNS:localhost
extendedKeyUsage = serverAuth
[ wronghost ]
subjectAltName = DNS:elsewhere.example
extendedKeyUsage = serverAuth
CNF
: >index.txt
echo 01 >serial
sign() { # name CA extensions [openssl ca validity arguments...]
    local name=$1 ca=$2 ext=$3
    shift 3
    openssl ca -batch -notext -config ca.cnf -cert "$ca.crt" -keyfile "$ca.key" -in server.csr \
        -extensions "$ext" -out "$name.crt" "$@" 2>/dev/null
}
sign good ca good -days 30
sign wronghost ca wronghost -days 30 -subj /CN=elsewhere.example
sign expired ca good -startdate 20200101000000Z -enddate 20200201000000Z
sign stranger stranger-ca good -days 30
rm -f ./*.pem index.txt* serial* server.csr ca.cnf
chmod 644 ./*.crt
