#!/usr/bin/env bash
# Builds dist/gatehouse_VERSION_ARCH.deb: the self-contained server (the target needs no .NET), its configuration, the
# service account, a hardened systemd unit and log rotation (docs/deployment.md, "Installing the Debian package").
# Usage: bash scripts/package-deb.sh   (for this machine's architecture: amd64, or arm64 on an ARM machine; Native AOT
# does not cross-compile without the other architecture's libraries). GATEHOUSE_DIST overrides the output directory.
set -euo pipefail
cd "$(dirname "$0")/.."
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)"
dist="${GATEHOUSE_DIST:-dist}"
mkdir -p "$dist"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

arch="$(dpkg --print-architecture)"
case "$arch" in
    amd64) rid=linux-x64 ;;
    arm64) rid=linux-arm64 ;;
    *) echo "no .NET runtime identifier for the architecture '$arch'" >&2; exit 2 ;;
esac
publish="$work/publish"
root="$work/root"
# Native AOT: one self-contained machine-code executable, no runtime to install, no JIT (so the unit can deny
# writable executable memory), fast start (docs/deployment.md). SQLite's library stays beside it.
dotnet publish src/Gatehouse -c Release -r "$rid" --nologo -v quiet -p:PublishAot=true -p:DebugType=none -o "$publish"

install -d "$root/DEBIAN" "$root/usr/bin" "$root/usr/lib/gatehouse" "$root/usr/lib/systemd/system" \
    "$root/etc/gatehouse" "$root/etc/logrotate.d" "$root/usr/share/doc/gatehouse"
install -m 0755 "$publish/gatehouse" "$root/usr/lib/gatehouse/gatehouse"
for library in "$publish"/*.so; do
    install -m 0644 "$library" "$root/usr/lib/gatehouse/"
done
ln -s ../lib/gatehouse/gatehouse "$root/usr/bin/gatehouse"
install -m 0644 packaging/debian/gatehouse.json "$root/etc/gatehouse/gatehouse.json"
install -m 0644 packaging/debian/logrotate "$root/etc/logrotate.d/gatehouse"
install -m 0644 packaging/debian/gatehouse.service "$root/usr/lib/systemd/system/gatehouse.service"
install -m 0644 README.md SECURITY.md docs/*.md packaging/debian/copyright "$root/usr/share/doc/gatehouse/"
gzip -9n -c packaging/debian/changelog >"$root/usr/share/doc/gatehouse/changelog.gz"

install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$root/DEBIAN/"
install -m 0644 packaging/debian/conffiles "$root/DEBIAN/"
(cd "$root" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
size="$(du -sk --exclude=DEBIAN "$root" | cut -f1)"
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" packaging/debian/control.in >"$root/DEBIAN/control"

dpkg-deb --root-owner-group -Zxz --build "$root" "$dist/gatehouse_${version}_${arch}.deb" >/dev/null
echo "Built $dist/gatehouse_${version}_${arch}.deb. Install with: sudo apt install ./$dist/gatehouse_${version}_${arch}.deb"
