#!/usr/bin/env bash
# cmrelay send over HTTPS: certificates are verified (a self-signed server is refused and
# the event dead-lettered), and --cacert names the CA to trust.
. "$(dirname "$0")/../lib.bash"
start_sink --tls

send_tls() {  # send_tls HOST PATH [OPTIONS...] < input
  local host=$1 path=$2
  shift 2
  rm -f "$tmp/dead"
  "$BIN" send --url "https://$host:$port$path?integration_key=$SECRET" --dead-letter "$tmp/dead" --stats json \
    --backoff-base 0.01 "$@" >"$tmp/stats" 2>"$tmp/err"
  rc=$?
  touch "$tmp/dead"
}

# Verification on: the self-signed certificate is refused, retried, then dead-lettered.
send_tls 127.0.0.1 /s/200 --max-attempts 2 < <(events untrusted 2)
check "untrusted: exit 3" eq "$rc" 3
conserved "untrusted" 2
check "untrusted: nothing reached the server" eq "$(requests untrusted-)" 0
check "untrusted: the certificate named" grep -qi "certificate" "$tmp/dead"
check "untrusted: attempts" eq "$(stats attempts)" 4

# --cacert: trusted, delivered, by IP and by name.
send_tls 127.0.0.1 /s/200 --cacert "$SRC/tests/net/deliver/tls-cert.pem" < <(events trusted 3)
check "--cacert: exit 0" eq "$rc" 0
conserved "--cacert" 3
check "--cacert: delivered" eq "$(requests trusted-)" 3
send_tls localhost /s/200 --cacert "$SRC/tests/net/deliver/tls-cert.pem" < <(events byname 1)
check "--cacert by name: exit 0" eq "$rc" 0

# A --cacert that cannot be read: a usage error, nothing sent.
send_tls 127.0.0.1 /s/200 --cacert "$tmp/missing.pem" < <(events nocafile 1)
check "missing CA file: exit 2" eq "$rc" 2
check "missing CA file: said" grep -q "missing.pem: cannot read" "$tmp/err"
check "missing CA file: nothing sent" eq "$(requests nocafile-)" 0

# A CA file that is readable but holds no certificate: a usage error before anything is
# read or sent, not a run that dead-letters every event.
echo "not a certificate" >"$tmp/bad.pem"
send_tls 127.0.0.1 /s/200 --cacert "$tmp/bad.pem" --max-attempts 3 < <(events badca 1)
check "bad CA file: exit 2" eq "$rc" 2
check "bad CA file: said" grep -q "cmrelay: --cacert $tmp/bad.pem: holds no PEM certificate" "$tmp/err"
check "bad CA file: nothing sent" eq "$(requests badca-)" 0
check "bad CA file: nothing dead-lettered" eq "$(wc -c <"$tmp/dead")" 0
: >"$tmp/empty.pem"
send_tls 127.0.0.1 /s/200 --cacert "$tmp/empty.pem" < <(events emptyca 1)
check "empty CA file: exit 2" eq "$rc" 2
printf -- '-----BEGIN CERTIFICATE-----\nnot*base64\n-----END CERTIFICATE-----\n' >"$tmp/mangled.pem"
send_tls 127.0.0.1 /s/200 --cacert "$tmp/mangled.pem" < <(events mangledca 1)
check "mangled CA block: exit 2" eq "$rc" 2
send_tls 127.0.0.1 /s/200 --cacert "$tmp" < <(events dirca 1)
check "directory as CA file: exit 2" eq "$rc" 2
check "directory as CA file: said" grep -q "cannot read: Is a directory" "$tmp/err"

# A root without a CA bundle: libcurl here reads only its built-in CA file and directory
# (not SSL_CERT_FILE, SSL_CERT_DIR or CURL_CA_BUNDLE), so an empty /etc/ssl/certs, mounted
# in a private mount namespace, is exactly a machine without ca-certificates. One line at
# start-up and a usage error; nothing sent, nothing dead-lettered.
if unshare -rm true 2>/dev/null; then
  no_ca() {  # no_ca COMMAND...: runs it with /etc/ssl/certs empty
    unshare -rm sh -c 'mount -t tmpfs none /etc/ssl/certs && exec "$@"' sh "$@"
  }
  events noca 2 | no_ca "$BIN" send --url "https://127.0.0.1:$port/s/200?integration_key=$SECRET" \
    --dead-letter "$tmp/dead-noca" >"$tmp/out" 2>"$tmp/err"
  check "no CA bundle: exit 2" eq "$?" 2
  check "no CA bundle: said once, plainly" eq "$(grep -c 'no CA certificates found (.*ca-certificates.crt.*): install ca-certificates or pass --cacert' "$tmp/err")" 1
  check "no CA bundle: nothing else said" eq "$(grep -vc "warning: --url holds a secret" "$tmp/err")" 1
  check "no CA bundle: nothing sent" eq "$(requests noca-)" 0
  check "no CA bundle: nothing dead-lettered" eq "$(cat "$tmp/dead-noca" 2>/dev/null | wc -l)" 0
  # --cacert still works there, and plain HTTP needs no CA at all.
  events nocacert 1 | no_ca "$BIN" send --url "https://127.0.0.1:$port/s/200" --cacert "$SRC/tests/net/deliver/tls-cert.pem" \
    >/dev/null 2>"$tmp/err"
  check "no CA bundle, --cacert: delivered" eq "$?" 0
  events nocahttp 1 | no_ca "$BIN" send --url "http://127.0.0.1:1/x" --max-attempts 1 >/dev/null 2>"$tmp/err"
  check "no CA bundle, http: not a usage error" eq "$?" 3
else
  echo "send_tls: SKIPPED the no-CA-bundle checks: unshare -rm is not permitted here"
fi

finish
