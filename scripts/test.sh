#!/usr/bin/env bash
# Runs the whole test suite (unit and end-to-end) on a fresh Debian machine:
# installs the real FTP clients the end-to-end tests drive, restores, builds, tests,
# and prints the totals as one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

need=()
command -v lftp >/dev/null || need+=(lftp)
command -v curl >/dev/null || need+=(curl)
[ -x /usr/bin/python3 ] || need+=(python3)
command -v ss >/dev/null || need+=(iproute2)
# The network lab builds NAT routers and firewalls in network namespaces, and runs vsftpd there as the peer
# it compares Gatehouse with.
command -v nft >/dev/null || need+=(nftables)
[ -x /usr/sbin/vsftpd ] || need+=(vsftpd)
command -v openssl >/dev/null || need+=(openssl)
# A real OpenLDAP server for the LDAP tests, which configure and start their own instance; it also brings
# libldap, the library System.DirectoryServices.Protocols loads.
[ -x /usr/sbin/slapd ] || need+=(slapd)
# A real PostgreSQL server for the shared account store's tests, which run their own throwaway instance.
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || need+=(postgresql)
# HAProxy is the balancer in front of two nodes in the network lab's cluster test.
[ -x /usr/sbin/haproxy ] || need+=(haproxy)
# strace watches whether the server fsyncs uploads (Storage:SyncUploads).
command -v strace >/dev/null || need+=(strace)
# Go's jlaffaye/ftp client starts TLS on data connections before the command; its test builds it offline with Debian's Go.
[ -x /usr/bin/go ] || need+=(golang-go)
[ -f /usr/share/gocode/src/github.com/jlaffaye/ftp/ftp.go ] || need+=(golang-github-jlaffaye-ftp-dev)
# The FileZilla tests drive the real FileZilla GUI on a virtual display (Xvfb) with xdotool, and keep screenshots
# (ImageMagick's import) of failures.
command -v filezilla >/dev/null || need+=(filezilla)
command -v Xvfb >/dev/null || need+=(xvfb)
command -v xdotool >/dev/null || need+=(xdotool)
command -v import >/dev/null || need+=(imagemagick)
# The pre-upload check is tested with the real ClamAV scanner and a signature database the test builds with sigtool.
command -v clamscan >/dev/null || need+=(clamav)
# The Debian package's tests check its unit offline with systemd-analyze and unpack it with dpkg-deb.
command -v systemd-analyze >/dev/null || need+=(systemd)
command -v dpkg-deb >/dev/null || need+=(dpkg)
# The web admin's browser tests drive Debian's chromium (headless) with Playwright's bundled driver, not a downloaded browser.
[ -x /usr/bin/chromium ] || need+=(chromium)
# The package's executable is built with Native AOT, which links with the system's C toolchain and zlib.
command -v clang >/dev/null || command -v gcc >/dev/null || need+=(clang)
[ -f /usr/include/zlib.h ] || need+=(zlib1g-dev)
if [ ${#need[@]} -gt 0 ]; then
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    # Package scripts must not start daemons (vsftpd, slapd, postgresql, haproxy) on the test machine: the tests run their own.
    policy=/usr/sbin/policy-rc.d
    added_policy=""
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' | $sudo_cmd tee "$policy" >/dev/null && $sudo_cmd chmod +x "$policy" && added_policy=1
    fi
    $sudo_cmd apt-get update -qq && $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    installed=$?
    [ -n "$added_policy" ] && $sudo_cmd rm -f "$policy"
    if [ "$installed" -ne 0 ]; then
        echo "Could not install: ${need[*]}" >&2
        echo "0 passed, 1 failed"
        exit 1
    fi
fi

# ProFTPD (with mod_tls) is a second peer server for `gatehouse doctor`'s tests. Debian's proftpd-core and vsftpd
# conflict as packages (both provide ftp-server), so next to vsftpd it is unpacked into /opt/proftpd-core, after
# the libraries it links installed with apt-get; the tests look there when /usr/sbin/proftpd is absent.
if [ ! -x /usr/sbin/proftpd ] && [ ! -f /opt/proftpd-core/usr/lib/proftpd/mod_tls.so ]; then
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    unpack="$(mktemp -d)"
    chmod 755 "$unpack"  # apt-get download writes as its _apt user
    if ! ( $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libhiredis0.14 libmemcached11 libmemcachedutil2 \
            libpcre2-posix3 libsodium23 libidn2-0 libcap2 libacl1 >/dev/null \
        && cd "$unpack" && apt-get download -qq proftpd-core proftpd-mod-crypto >/dev/null \
        && $sudo_cmd mkdir -p /opt/proftpd-core \
        && for deb in "$unpack"/*.deb; do $sudo_cmd dpkg-deb -x "$deb" /opt/proftpd-core || exit 1; done ); then
        rm -rf "$unpack"
        echo "Could not unpack proftpd-core" >&2
        echo "0 passed, 1 failed"
        exit 1
    fi
    rm -rf "$unpack"
fi

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

dotnet restore Gatehouse.slnx --nologo -v quiet || { echo "0 passed, 1 failed"; exit 1; }
dotnet build Gatehouse.slnx --nologo -v quiet --no-restore -c Release || { echo "0 passed, 1 failed"; exit 1; }

status=0
for project in tests/*/*.csproj; do
    name="$(basename "$project" .csproj)"
    timeout 3600 dotnet test "$project" --no-build -c Release --nologo \
        --logger "trx;LogFileName=$name.trx" --results-directory "$results" || status=1
done

passed=0
failed=0
for trx in "$results"/*.trx; do
    [ -f "$trx" ] || continue
    counters="$(grep -o '<Counters [^>]*>' "$trx" | head -1)"
    p="$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")"
    f="$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")"
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
done
expected="$(ls tests/*/*.csproj | wc -l)"
found="$(ls "$results"/*.trx 2>/dev/null | wc -l)"
if [ "$found" -lt "$expected" ]; then
    # A test project that crashed before writing results counts as a failure.
    failed=$((failed + expected - found))
fi
if [ "$failed" -gt 0 ]; then
    python3 scripts/failed-tests.py "$results"/*.trx
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
