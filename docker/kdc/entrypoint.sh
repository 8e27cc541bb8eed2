#!/bin/sh
# Starts the demo KDC. On the first start (empty database volume) it creates the realm, the array's service principal
# with AES keys, a test user, and exports the array keytab into the shared volume, owned by the gateways' uid and
# readable by nobody else. Later starts reuse the database, so the keytab stays valid across restarts.
set -eu

REALM="${REALM:-ARRAY.TEST}"
ARRAY_HOST="${ARRAY_HOST:-array.example.test}"
TEST_USER="${TEST_USER:-alice}"
TEST_PASSWORD="${TEST_PASSWORD:-alice-pw}"
MASTER_PASSWORD="${MASTER_PASSWORD:-kerbgate-demo-master}"
KEYTAB="${KEYTAB:-/keytabs/http.keytab}"
GATEWAY_UID="${GATEWAY_UID:-10001}"
DB_DIR=/var/lib/krb5kdc
SERVICE="HTTP/${ARRAY_HOST}@${REALM}"

# Clients (kinit, curl in this container) talk TCP to this KDC under its compose name; no DNS games.
cat > /etc/krb5.conf <<CONF
[libdefaults]
  default_realm = ${REALM}
  dns_lookup_kdc = false
  dns_lookup_realm = false
  dns_canonicalize_hostname = false
  rdns = false
  udp_preference_limit = 1

[realms]
  ${REALM} = {
    kdc = kdc:88
    admin_server = kdc
  }

[domain_realm]
  .example.test = ${REALM}
  example.test = ${REALM}
CONF

mkdir -p /etc/krb5kdc
cat > /etc/krb5kdc/kdc.conf <<CONF
[kdcdefaults]
  kdc_listen = 88
  kdc_tcp_listen = 88

[realms]
  ${REALM} = {
    database_name = ${DB_DIR}/principal
    key_stash_file = ${DB_DIR}/stash
    acl_file = /etc/krb5kdc/kadm5.acl
    max_life = 10h 0m 0s
    max_renewable_life = 7d 0h 0m 0s
    master_key_type = aes256-cts-hmac-sha1-96
    supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
  }

[logging]
  kdc = STDERR
CONF
touch /etc/krb5kdc/kadm5.acl

if [ ! -f "${DB_DIR}/principal" ]; then
  echo "kdc: creating realm ${REALM}"
  kdb5_util create -s -r "${REALM}" -P "${MASTER_PASSWORD}"
  kadmin.local -r "${REALM}" -q "addprinc -randkey -e aes256-cts-hmac-sha1-96:normal,aes128-cts-hmac-sha1-96:normal ${SERVICE}"
  kadmin.local -r "${REALM}" -q "addprinc -pw ${TEST_PASSWORD} ${TEST_USER}@${REALM}"
fi

if [ ! -s "${KEYTAB}" ]; then
  echo "kdc: exporting ${SERVICE} to ${KEYTAB}"
  mkdir -p "$(dirname "${KEYTAB}")"
  # -norandkey: export the current keys as they are (a plain ktadd would randomize them and bump the kvno).
  kadmin.local -r "${REALM}" -q "ktadd -norandkey -k ${KEYTAB} ${SERVICE}"
fi
# Only the gateways' user may read the keytab: it is the array's service key.
chown "${GATEWAY_UID}:${GATEWAY_UID}" "${KEYTAB}"
chmod 0400 "${KEYTAB}"

echo "kdc: realm ${REALM} ready; try: docker compose exec kdc sh -c 'echo ${TEST_PASSWORD} | kinit ${TEST_USER} && curl --negotiate -u : http://${ARRAY_HOST}/'"
exec /usr/sbin/krb5kdc -n
