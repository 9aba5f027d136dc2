#!/usr/bin/env bash
# Checks a built Debian package: bash scripts/check-package.sh DEB CHECK, where CHECK is one of
#   contents   the files, their modes and the /usr/bin/gatehouse link
#   control    conffiles, maintainer scripts, dependencies (no .NET package)
#   unit       gatehouse.service: systemd-analyze verify clean and security --offline exposure at most 2.0
#   install    dpkg -i, again (upgrade), --purge, in a private mount namespace whose /etc, /var and /usr are throwaway
#              overlays: the account, modes, certificate, the CLI as root; configuration and data kept on upgrade;
#              purge removes /etc/gatehouse and says /var/lib/gatehouse was kept
#   serve      the unpacked /usr/bin/gatehouse serves explicit FTPS on 127.0.0.1:21 (and implicit on 990) as an
#              unprivileged account holding only CAP_NET_BIND_SERVICE, with the SDK's .NET hidden; upload and download
#              byte-exact, with memory that was writable never executable (the unit's MemoryDenyWriteExecute=yes)
# Prints what it found and exits 0 when the check passed. Needs root (mount namespaces, setpriv, ports below 1024).
# systemd is not PID 1 on the test machines: the unit is checked offline, its sandbox is not exercised at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
deb="$(realpath "$1")"
check="$2"
work="$(mktemp -d)"
chmod 0755 "$work"
server=""
cleanup() {
    [ -n "$server" ] && kill -KILL "$server" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "FAILED: $*" >&2; exit 1; }

root="$work/root"
dpkg-deb -x "$deb" "$root"

check_contents() {
    local listing
    listing="$(dpkg-deb -c "$deb")"
    echo "$listing"
    for path in ./usr/lib/gatehouse/gatehouse ./etc/gatehouse/gatehouse.json ./etc/logrotate.d/gatehouse \
        ./usr/lib/systemd/system/gatehouse.service ./usr/share/doc/gatehouse/copyright ./usr/share/doc/gatehouse/changelog.gz \
        ./usr/share/doc/gatehouse/README.md ./usr/share/doc/gatehouse/deployment.md; do
        grep -q " $path\$" <<<"$listing" || fail "$path is missing"
    done
    [ "$(readlink "$root/usr/bin/gatehouse")" = ../lib/gatehouse/gatehouse ] || fail "/usr/bin/gatehouse is not a link to ../lib/gatehouse/gatehouse"
    [ -x "$root/usr/lib/gatehouse/gatehouse" ] || fail "the executable is not executable"
    if grep -v '^d' <<<"$listing" | grep -v ' root/root ' >/dev/null; then fail "files not owned by root"; fi
    if grep -q 'dotnet\|\.dll$' <<<"$listing"; then fail "framework-dependent files in the package"; fi
    echo "contents: ok"
}

check_control() {
    local control conffiles
    control="$(dpkg-deb -f "$deb")"
    echo "$control"
    dpkg-deb -e "$deb" "$work/DEBIAN"
    conffiles="$(cat "$work/DEBIAN/conffiles")"
    [ "$conffiles" = $'/etc/gatehouse/gatehouse.json\n/etc/logrotate.d/gatehouse' ] || fail "conffiles: $conffiles"
    for script in postinst prerm postrm; do
        [ -x "$work/DEBIAN/$script" ] || fail "$script missing or not executable"
        sh -n "$work/DEBIAN/$script" || fail "$script: syntax"
    done
    grep -q 'adduser --system' "$work/DEBIAN/postinst" || fail "postinst makes no system account"
    local depends
    depends="$(dpkg-deb -f "$deb" Depends)"
    grep -qi 'dotnet\|aspnetcore' <<<"$depends" && fail "depends on .NET: $depends"
    for needed in adduser libc6 libssl3 openssl; do
        grep -q "$needed" <<<"$depends" || fail "Depends lacks $needed: $depends"
    done
    [ "$(dpkg-deb -f "$deb" Package)" = gatehouse ] || fail "package name"
    # The packaged configuration passes the server's own checks (certificates as postinst would make them), and the CLI
    # finds it in /etc/gatehouse without --config (the package's /etc over the machine's, in a private mount namespace).
    make_certificate
    local checked
    checked="$(cd "$work" && unshare -m -- sh -c 'mount -t overlay overlay -o lowerdir="$1/etc":/etc /etc && shift && exec "$@"' overlay "$root" \
        env GATEHOUSE_Tls__CertificateFile="$work/tls/fullchain.pem" GATEHOUSE_Tls__KeyFile="$work/tls/privkey.pem" \
        GATEHOUSE_DataDirectory="$work/data" "$root/usr/bin/gatehouse" config check 2>&1)" ||
        fail "the packaged configuration does not pass config check: $checked"
    echo "$checked"
    grep -q '^Configuration is valid (/etc/gatehouse/gatehouse.json)' <<<"$checked" || fail "the CLI did not find /etc/gatehouse/gatehouse.json"
    echo "control: ok"
}

check_unit() {
    local unit="$root/usr/lib/systemd/system/gatehouse.service" verify security exposure grace stop
    # verify wants ExecStart= to exist: the package's /usr over the machine's, in a private mount namespace.
    verify="$(unshare -m sh -c "mount -t overlay overlay -o lowerdir='$root/usr':/usr /usr && systemd-analyze verify '$unit'" 2>&1)" ||
        fail "systemd-analyze verify: $verify"
    [ -z "$verify" ] || fail "systemd-analyze verify printed: $verify"
    security="$(systemd-analyze security --offline=true "$unit" 2>&1)" || true
    echo "$security" | grep -E '✗|Overall'
    exposure="$(sed -n 's/.*Overall exposure level for gatehouse.service: \([0-9.]*\).*/\1/p' <<<"$security")"
    [ -n "$exposure" ] || fail "no exposure level in: $security"
    awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }' || fail "exposure $exposure is above 2.0"
    grep -qx 'Type=notify' "$unit" || fail "not Type=notify"
    grep -qx 'User=gatehouse' "$unit" || fail "not User=gatehouse"
    grep -qx 'CapabilityBoundingSet=CAP_NET_BIND_SERVICE' "$unit" || fail "capabilities other than CAP_NET_BIND_SERVICE"
    grace="$(sed -n 's/.*"ShutdownGraceSeconds": *\([0-9]*\).*/\1/p' "$root/etc/gatehouse/gatehouse.json")"
    stop="$(sed -n 's/^TimeoutStopSec=\([0-9]*\)$/\1/p' "$unit")"
    [ -n "$grace" ] && [ -n "$stop" ] && [ "$stop" -gt $((grace + 15)) ] ||
        fail "TimeoutStopSec=$stop is not above Limits:ShutdownGraceSeconds $grace plus the host's 15 s"
    echo "unit: ok (exposure $exposure)"
}

make_certificate() {
    mkdir -p "$work/tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 60 -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" \
        -keyout "$work/tls/privkey.pem" -out "$work/tls/fullchain.pem" 2>/dev/null
    chmod 0644 "$work/tls/privkey.pem"
}

check_serve() {
    for port in 21 990; do
        if ss -Hltn "sport = :$port" | grep -q .; then fail "port $port is in use on this machine"; fi
    done
    make_certificate
    local data="$work/data" config="$root/etc/gatehouse/gatehouse.json"
    mkdir -p "$data"
    chown 65534:65534 "$data"
    # The package's configuration as installed; only the address, the data directory and the certificate's place differ.
    local -a settings=(
        GATEHOUSE_DataDirectory="$data"
        GATEHOUSE_Ftp__ListenAddresses__0=127.0.0.1
        GATEHOUSE_Tls__CertificateFile="$work/tls/fullchain.pem"
        GATEHOUSE_Tls__KeyFile="$work/tls/privkey.pem"
    )
    # As root, like "sudo gatehouse user add": the CLI takes on the data directory's owner for the files it creates.
    local password
    password="$(head -c 18 /dev/urandom | base64 | tr '+/' 'xy')"
    env "${settings[@]}" "$root/usr/bin/gatehouse" user add tester --password-stdin --config "$config" <<<"$password" ||
        fail "user add"
    [ "$(stat -c %u "$data/accounts.db")" = 65534 ] || fail "accounts.db created by the CLI as root belongs to uid $(stat -c %u "$data/accounts.db"), not the data directory's owner"

    # The unit's MemoryDenyWriteExecute=yes, approximated with the kernel's own switch (Linux 6.3 and later): no memory
    # that was writable may become executable, for the server and what it runs.
    local deny_write_execute='
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(65, 1, 0, 0, 0) != 0:  # PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN
    raise SystemExit("prctl(PR_SET_MDWE) failed: errno %d (Linux 6.3 or later needed)" % ctypes.get_errno())
print("memory-deny-write-execute on", file=sys.stderr, flush=True)
os.execv(sys.argv[1], sys.argv[1:])'
    local started
    started="$(date +%s%N)"
    unshare -m -- bash -c '
        mount -t tmpfs -o ro,mode=0755 none /usr/share/dotnet
        if command -v dotnet >/dev/null || [ -e /usr/share/dotnet/dotnet ]; then echo "dotnet still visible" >&2; exit 97; fi
        exec "$@"' hide-dotnet \
        env -i PATH=/usr/bin:/bin HOME=/nonexistent "${settings[@]}" \
        setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs \
        --inh-caps=-all,+net_bind_service --ambient-caps=-all,+net_bind_service --bounding-set=-all,+net_bind_service \
        /usr/bin/python3 -c "$deny_write_execute" "$root/usr/bin/gatehouse" serve --config "$config" >"$work/serve.log" 2>&1 &
    server=$!
    local waited=0
    until ss -Hltn 'sport = :21' | grep -q . && ss -Hltn 'sport = :990' | grep -q .; do
        kill -0 "$server" 2>/dev/null || { cat "$work/serve.log"; fail "the server exited"; }
        [ "$waited" -lt 600 ] || { cat "$work/serve.log"; fail "not listening on 21 and 990 after 60 s"; }
        sleep 0.1
        waited=$((waited + 1))
    done
    echo "listening on 21 and 990 after $((($(date +%s%N) - started) / 1000000)) ms"
    grep -E '^(Uid|CapEff|CapPrm|CapBnd|CapAmb)' "/proc/$server/status"
    grep -q '^Uid:[[:space:]]65534[[:space:]]' "/proc/$server/status" || fail "the server does not run as uid 65534"
    grep -q '^CapEff:[[:space:]]0000000000000400$' "/proc/$server/status" || fail "the server holds more than CAP_NET_BIND_SERVICE"
    grep -q '^CapBnd:[[:space:]]0000000000000400$' "/proc/$server/status" || fail "the bounding set holds more than CAP_NET_BIND_SERVICE"
    grep -q ' /usr/share/dotnet tmpfs ' "/proc/$server/mounts" || fail "the SDK's .NET is visible to the server"
    grep -q '^memory-deny-write-execute on$' "$work/serve.log" || fail "the server does not run with memory-deny-write-execute"

    head -c 3000000 /dev/urandom >"$work/upload.bin"
    /usr/bin/python3 - "$password" "$work/upload.bin" "$work/download.bin" <<'PY' || fail "explicit FTPS on port 21"
import ftplib, ssl, sys, time
password, upload, download = sys.argv[1:]
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
ftp = ftplib.FTP_TLS(context=context, timeout=30)
ftp.connect("127.0.0.1", 21)
ftp.auth()
ftp.login("tester", password)
ftp.prot_p()
started = time.monotonic()
with open(upload, "rb") as f:
    ftp.storbinary("STOR file.bin", f)
uploaded = time.monotonic()
with open(download, "wb") as f:
    ftp.retrbinary("RETR file.bin", f.write)
downloaded = time.monotonic()
ftp.quit()
print(f"first upload {(uploaded - started) * 1000:.0f} ms, first download {(downloaded - uploaded) * 1000:.0f} ms")
PY
    cmp "$work/upload.bin" "$work/download.bin" || fail "explicit FTPS: the download differs from the upload"
    echo "explicit FTPS on 21: upload and download byte-exact"
    curl -sS --max-time 30 --ssl-reqd --insecure --user "tester:$password" "ftps://127.0.0.1:990/file.bin" -o "$work/implicit.bin" ||
        fail "implicit FTPS on port 990"
    cmp "$work/upload.bin" "$work/implicit.bin" || fail "implicit FTPS: the download differs from the upload"
    echo "implicit FTPS on 990: download byte-exact"
    [ "$(stat -c %u "$data/home/tester/file.bin")" = 65534 ] || fail "the upload does not belong to the server's account"

    kill -TERM "$server"
    local code=0
    wait "$server" || code=$?
    server=""
    [ "$code" -eq 0 ] || { cat "$work/serve.log"; fail "the server exited with $code after SIGTERM"; }
    echo "serve: ok"
}

check_install() {
    # Everything dpkg and the maintainer scripts change lands in tmpfs overlays that vanish with the namespace.
    mkdir "$work/overlay"
    unshare -m -- bash -c '
        set -e
        mount -t tmpfs none "$1"
        for d in etc var usr; do
            mkdir -p "$1/$d-up" "$1/$d-work"
            mount -t overlay overlay -o "lowerdir=/$d,upperdir=$1/$d-up,workdir=$1/$d-work" "/$d"
        done
        shift
        exec "$@"' overlays "$work/overlay" bash "$0" "$deb" install-inside
}

check_install_inside() {
    local installed
    installed="$(DEBIAN_FRONTEND=noninteractive dpkg -i "$deb" 2>&1)" || fail "dpkg -i: $installed"
    echo "$installed"
    getent passwd gatehouse | grep -q ':/var/lib/gatehouse:/usr/sbin/nologin$' || fail "account: $(getent passwd gatehouse)"
    [ "$(stat -c '%U:%G %a' /var/lib/gatehouse)" = "gatehouse:gatehouse 750" ] || fail "/var/lib/gatehouse: $(stat -c '%U:%G %a' /var/lib/gatehouse)"
    [ "$(stat -c '%U:%G %a' /etc/gatehouse/gatehouse.json)" = "root:gatehouse 640" ] || fail "gatehouse.json: $(stat -c '%U:%G %a' /etc/gatehouse/gatehouse.json)"
    [ "$(stat -c '%U:%G %a' /etc/gatehouse/tls/privkey.pem)" = "root:gatehouse 640" ] || fail "no self-signed key in /etc/gatehouse/tls"
    openssl x509 -in /etc/gatehouse/tls/fullchain.pem -noout -subject | grep -q 'Gatehouse self-signed' || fail "no self-signed certificate"
    (cd / && gatehouse config check) || fail "config check of the installed configuration"
    (cd / && gatehouse user add alice --password-stdin <<<"Installed-package-check-1") || fail "sudo gatehouse user add"
    [ "$(stat -c %U /var/lib/gatehouse/accounts.db)" = gatehouse ] || fail "accounts.db belongs to $(stat -c %U /var/lib/gatehouse/accounts.db)"
    echo "partner file" >/var/lib/gatehouse/home/alice/kept.txt
    sed -i 's/"PassivePorts": "50000-50099"/"PassivePorts": "50200-50249"/' /etc/gatehouse/gatehouse.json

    installed="$(DEBIAN_FRONTEND=noninteractive dpkg -i "$deb" 2>&1)" || fail "upgrade: $installed"
    grep -q '"PassivePorts": "50200-50249"' /etc/gatehouse/gatehouse.json || fail "the upgrade replaced the changed configuration"
    [ -f /var/lib/gatehouse/home/alice/kept.txt ] || fail "the upgrade lost a file"
    (cd / && gatehouse user list) | grep -q '^alice ' || fail "the upgrade lost the account"
    echo "upgrade: configuration, account and files kept"

    local purged
    purged="$(dpkg --purge gatehouse 2>&1)" || fail "purge: $purged"
    echo "$purged"
    [ ! -e /etc/gatehouse ] || fail "/etc/gatehouse is still there after purge"
    [ -f /var/lib/gatehouse/accounts.db ] && [ -f /var/lib/gatehouse/home/alice/kept.txt ] || fail "purge deleted data"
    grep -q '/var/lib/gatehouse .* was kept' <<<"$purged" || fail "purge did not say that /var/lib/gatehouse was kept"
    echo "install: ok"
}

case "$check" in
    install) check_install ;;
    install-inside) check_install_inside ;;
    contents) check_contents ;;
    control) check_control ;;
    unit) check_unit ;;
    serve) check_serve ;;
    *) fail "unknown check '$check'" ;;
esac
