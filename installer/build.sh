#!/usr/bin/env bash
# Builds the frozen one-folder GUI (dist/valutazione/valutazione-gui), a .tar.gz bundle with a .desktop
# file and icon, and a .deb installing under /opt/valutazione with a launcher. Run from a clean checkout.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
VERSION=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' valutazione/__init__.py)
ARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)
BUILD_VENV="${BUILD_VENV:-$ROOT/build/venv}"

if [[ ! -x "$BUILD_VENV/bin/python" ]]; then
  python3 -m venv "$BUILD_VENV"
fi
"$BUILD_VENV/bin/python" -m pip install -q --upgrade pip
# The application and PyInstaller only: no test or dev tools end up in the bundle.
"$BUILD_VENV/bin/python" -m pip install -q "$ROOT" "pyinstaller>=6.3"

rm -rf dist/valutazione build/pyinstaller
"$BUILD_VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller installer/valutazione.spec

# .tar.gz: the folder, a .desktop file and the icon, with an install note.
STAGE=build/tar/valutazione-$VERSION
rm -rf build/tar && mkdir -p "$STAGE"
cp -a dist/valutazione "$STAGE/valutazione"
cp installer/linux/valutazione.desktop resources/icons/valutazione-256.png installer/linux/valutazione-mime.xml "$STAGE/"
sed -i "s|^Exec=.*|Exec=$(printf '%s' '/opt/valutazione/valutazione-gui') %f|" "$STAGE/valutazione.desktop"
tar -C build/tar -czf "dist/valutazione-$VERSION-linux-$ARCH.tar.gz" "valutazione-$VERSION"

# .deb: /opt/valutazione, /usr/bin launcher, menu entry, icon, file types.
PKG=build/deb/valutazione_${VERSION}_${ARCH}
rm -rf build/deb && mkdir -p "$PKG/DEBIAN" "$PKG/opt" "$PKG/usr/bin" "$PKG/usr/share/applications" \
  "$PKG/usr/share/icons/hicolor/256x256/apps" "$PKG/usr/share/mime/packages"
cp -a dist/valutazione "$PKG/opt/valutazione"
cat > "$PKG/usr/bin/valutazione-gui" <<'SH'
#!/bin/sh
exec /opt/valutazione/valutazione-gui "$@"
SH
chmod 755 "$PKG/usr/bin/valutazione-gui"
cp installer/linux/valutazione.desktop "$PKG/usr/share/applications/"
cp resources/icons/valutazione-256.png "$PKG/usr/share/icons/hicolor/256x256/apps/valutazione.png"
cp installer/linux/valutazione-mime.xml "$PKG/usr/share/mime/packages/valutazione.xml"
SIZE=$(du -sk "$PKG" | cut -f1)
cat > "$PKG/DEBIAN/control" <<CTL
Package: valutazione
Version: $VERSION
Section: office
Priority: optional
Architecture: $ARCH
Installed-Size: $SIZE
Depends: libgl1, libegl1, libxkbcommon0, libxkbcommon-x11-0, libfontconfig1, libglib2.0-0, libdbus-1-3, libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxcb-shape0
Maintainer: valutazione <valutazione@example.invalid>
Description: Valutazione delle domande ai bandi pubblici di contributo
 Commissioni di valutazione: dichiarazioni, ammissibilità, punteggi dei
 commissari anche offline, graduatoria, verbali firmabili (PAdES).
CTL
cat > "$PKG/DEBIAN/postinst" <<'SH'
#!/bin/sh
set -e
command -v update-mime-database >/dev/null && update-mime-database /usr/share/mime || true
command -v update-desktop-database >/dev/null && update-desktop-database -q || true
SH
chmod 755 "$PKG/DEBIAN/postinst"
dpkg-deb --root-owner-group --build "$PKG" "dist/valutazione_${VERSION}_${ARCH}.deb" >/dev/null

echo "Creati:"
ls -1 dist/valutazione/valutazione-gui "dist/valutazione-$VERSION-linux-$ARCH.tar.gz" "dist/valutazione_${VERSION}_${ARCH}.deb"
du -sh dist/valutazione
