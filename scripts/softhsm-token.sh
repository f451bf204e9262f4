#!/usr/bin/env bash
# Prepares a SoftHSM2 token for the sample app's pkcs11 profile, in its own directory. The token gets an AES-256
# key labelled lango-aes and an EC P-256 key pair labelled lango-signing, stored with a self-signed certificate
# because the JDK's PKCS11 key store finds a private key only through its certificate. Writes DIRECTORY/env.
#
# Usage: scripts/softhsm-token.sh [DIRECTORY]      (default: sample-app/target/softhsm)
#   Then: source DIRECTORY/env
#         java -jar sample-app/target/lango-kms-sample-app.jar --spring.profiles.active=pkcs11
#
# The user PIN is LANGO_PKCS11_PIN when set, else a random one. The security officer PIN is random and written to
# DIRECTORY/so-pin. Both files are readable by the owner only. Delete DIRECTORY to remove the token.
set -euo pipefail

usage() {
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
}

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
    usage
    exit 0
fi
if [[ $# -gt 1 ]]; then
    usage >&2
    exit 2
fi

cd "$(dirname "$0")/.."
directory="${1:-sample-app/target/softhsm}"

if ! command -v softhsm2-util >/dev/null 2>&1; then
    echo "error: softhsm2-util is not installed; install SoftHSM2 (for example: apt-get install softhsm2)" >&2
    exit 1
fi
keytool="${JAVA_HOME:+$JAVA_HOME/bin/}keytool"
if ! command -v "$keytool" >/dev/null 2>&1; then
    echo "error: keytool was not found; set JAVA_HOME to a JDK 17 or later, or put keytool on the PATH" >&2
    exit 1
fi

module="${LANGO_PKCS11_MODULE:-}"
if [[ -z "$module" ]]; then
    for candidate in /usr/lib/softhsm/libsofthsm2.so /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so \
        /usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so /usr/local/lib/softhsm/libsofthsm2.so \
        /opt/homebrew/lib/softhsm/libsofthsm2.so; do
        if [[ -f "$candidate" ]]; then
            module="$candidate"
            break
        fi
    done
fi
if [[ -z "$module" || ! -f "$module" ]]; then
    echo "error: SoftHSM2's PKCS#11 module was not found; set LANGO_PKCS11_MODULE to the path of libsofthsm2.so" >&2
    exit 1
fi

if [[ -e "$directory/tokens" ]]; then
    echo "error: $directory already contains a token; delete the directory to start over, or name another one" >&2
    exit 1
fi

umask 077
mkdir -p "$directory/tokens"
directory="$(cd "$directory" && pwd)"

random_pin() {
    od -An -tx1 -N8 /dev/urandom | tr -d ' \n'
}
user_pin="${LANGO_PKCS11_PIN:-$(random_pin)}"
so_pin="$(random_pin)"

cat >"$directory/softhsm2.conf" <<EOF
directories.tokendir = $directory/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
EOF
export SOFTHSM2_CONF="$directory/softhsm2.conf"

# softhsm2-util takes PINs only as arguments or from a terminal.
init_output="$(softhsm2-util --init-token --free --label lango-kms-sample --pin "$user_pin" --so-pin "$so_pin")"
slot_id="$(sed -n 's/.*reassigned to slot \([0-9][0-9]*\).*/\1/p' <<<"$init_output")"
if [[ -z "$slot_id" ]]; then
    echo "error: softhsm2-util printed no slot id:" >&2
    echo "$init_output" >&2
    exit 1
fi

cat >"$directory/sunpkcs11.cfg" <<EOF
name = softhsm-token-script
library = "$module"
slot = $slot_id
EOF

# keytool reads the PIN from this variable (-storepass:env), so it never appears in a process listing.
export LANGO_SOFTHSM_SCRIPT_PIN="$user_pin"
keytool_pkcs11=(-keystore NONE -storetype PKCS11 -providerClass sun.security.pkcs11.SunPKCS11
    -providerArg "$directory/sunpkcs11.cfg" -storepass:env LANGO_SOFTHSM_SCRIPT_PIN)
run_keytool() {
    local output
    if ! output="$("$keytool" "$@" "${keytool_pkcs11[@]}" 2>&1)"; then
        echo "error: keytool $1 failed:" >&2
        echo "$output" >&2
        exit 1
    fi
}
run_keytool -genseckey -alias lango-aes -keyalg AES -keysize 256
run_keytool -genkeypair -alias lango-signing -keyalg EC -groupname secp256r1 -sigalg SHA256withECDSA \
    -dname "CN=lango-signing" -validity 3650
unset LANGO_SOFTHSM_SCRIPT_PIN

printf '%s\n' "$so_pin" >"$directory/so-pin"
{
    printf 'export SOFTHSM2_CONF=%q\n' "$directory/softhsm2.conf"
    printf 'export LANGO_PKCS11_MODULE=%q\n' "$module"
    printf 'export LANGO_PKCS11_SLOT_ID=%q\n' "$slot_id"
    printf 'export LANGO_PKCS11_PIN=%q\n' "$user_pin"
} >"$directory/env"

echo "SoftHSM2 token 'lango-kms-sample' is ready in slot $slot_id ($directory)."
echo "Keys: lango-aes (AES-256), lango-signing (EC P-256 with certificate)."
echo "Start the sample app with:"
echo "  source $directory/env"
echo "  java -jar sample-app/target/lango-kms-sample-app.jar --spring.profiles.active=pkcs11"
