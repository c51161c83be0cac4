#!/usr/bin/env bash
# Builds, from a clean checkout, the frozen one-folder GUI (dist/valutazione/valutazione-gui), a .tar.gz
# with a .desktop file and the icon, and a .deb installing under /opt/valutazione with a launcher.
#
#   bash installer/build.sh
#
# BUILD_VENV=<dir>  the virtual environment holding the dependencies and PyInstaller (default build/venv);
#                   point it at a lasting folder to reuse it between builds (it is refreshed when
#                   pyproject.toml's dependencies change). PYTHON=<python3.11+> the interpreter for it.
# Needs: python3 (3.11+) with venv, binutils (readelf/strip, as PyInstaller does), tar, dpkg-deb.
set -euo pipefail
umask 022
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
started=$SECONDS
step() { echo "[$((SECONDS - started)) s] $*"; }

VERSION=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' valutazione/__init__.py)
DECLARED=$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml | head -1)
if [[ -z "$VERSION" || "$VERSION" != "$DECLARED" ]]; then
  echo "Versione incoerente: valutazione/__init__.py dice '$VERSION', pyproject.toml '$DECLARED'" >&2
  exit 1
fi
ARCH=$(dpkg --print-architecture 2>/dev/null || uname -m)
BUILD_VENV="${BUILD_VENV:-$ROOT/build/venv}"
PYTHON="${PYTHON:-python3}"

# -- build environment: the application's dependencies and PyInstaller, nothing of test/dev tools -------
# The application itself is not installed there: PyInstaller reads ui/ and valutazione/ from this checkout.
mkdir -p "$(dirname "$BUILD_VENV")" build
exec 9>"$BUILD_VENV.lock"
flock 9  # two builds sharing one BUILD_VENV take turns
"$PYTHON" - > build/requirements.txt <<'PY'
import sys, tomllib
if sys.version_info < (3, 11):
    sys.exit("Serve Python 3.11 o successivo")
print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))
print("pyinstaller>=6.3,<7")
PY
stamp="$BUILD_VENV/.valutazione-build-$(sha256sum build/requirements.txt | cut -c1-16)"
if [[ ! -f "$stamp" ]]; then
  step "Ambiente di build in $BUILD_VENV"
  [[ -x "$BUILD_VENV/bin/python" ]] || "$PYTHON" -m venv "$BUILD_VENV"
  "$BUILD_VENV/bin/python" -m pip install -q --upgrade pip
  "$BUILD_VENV/bin/python" -m pip install -q -r build/requirements.txt
  rm -f "$BUILD_VENV"/.valutazione-build-*
  touch "$stamp"
fi

# -- frozen folder ---------------------------------------------------------------------------------------
step "PyInstaller"
rm -rf dist/valutazione build/pyinstaller
"$BUILD_VENV/bin/python" -m PyInstaller --noconfirm --log-level WARN \
  --distpath dist --workpath build/pyinstaller installer/valutazione.spec
flock -u 9

install_desktop_files() {  # $1: root of the tree; $2: the Exec line's program
  local root=$1 exec_path=$2 size
  mkdir -p "$root/share/applications" "$root/share/mime/packages"
  sed "s|^Exec=.*|Exec=$exec_path %f|" installer/linux/valutazione.desktop > "$root/share/applications/valutazione.desktop"
  cp installer/linux/valutazione-mime.xml "$root/share/mime/packages/valutazione.xml"
  for size in 16 32 48 64 128 256; do
    mkdir -p "$root/share/icons/hicolor/${size}x${size}/apps"
    cp "resources/icons/valutazione-$size.png" "$root/share/icons/hicolor/${size}x${size}/apps/valutazione.png"
  done
}

# -- .tar.gz: the folder, the .desktop file, the icon and the file types, with a per-user installer --------
step "Archivio .tar.gz"
TARNAME=valutazione-$VERSION
STAGE=build/tar/$TARNAME
rm -rf build/tar && mkdir -p "$STAGE"
cp -a dist/valutazione "$STAGE/valutazione"
cp installer/linux/valutazione.desktop installer/linux/valutazione-mime.xml "$STAGE/"
cp resources/icons/valutazione-256.png "$STAGE/valutazione.png"
cat > "$STAGE/installa.sh" <<'SH'
#!/bin/sh
# Adds Valutazione to this user's menu and file types, running it from this folder (no root needed).
set -e
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
mkdir -p "$data/applications" "$data/icons/hicolor/256x256/apps" "$data/mime/packages"
sed "s|^Exec=.*|Exec=\"$here/valutazione/valutazione-gui\" %f|" "$here/valutazione.desktop" > "$data/applications/valutazione.desktop"
cp "$here/valutazione.png" "$data/icons/hicolor/256x256/apps/valutazione.png"
cp "$here/valutazione-mime.xml" "$data/mime/packages/valutazione.xml"
command -v update-mime-database >/dev/null && update-mime-database "$data/mime" || true
command -v update-desktop-database >/dev/null && update-desktop-database -q "$data/applications" || true
echo "Valutazione è nel menu delle applicazioni (avvio: $here/valutazione/valutazione-gui)."
SH
chmod 755 "$STAGE/installa.sh"
cat > "$STAGE/LEGGIMI.txt" <<TXT
Valutazione $VERSION per Linux ($ARCH)

Avvio senza installare:   ./valutazione/valutazione-gui
Voce di menu e tipi file: ./installa.sh   (per l'utente corrente, senza privilegi)
Prova di funzionamento:   ./valutazione/valutazione-gui --smoke
TXT
tar -C build/tar -czf "dist/$TARNAME-linux-$ARCH.tar.gz" "$TARNAME"

# -- .deb: /opt/valutazione, /usr/bin launcher, menu entry, icons, file types ------------------------------
step "Pacchetto .deb"
PKG=build/deb/valutazione_${VERSION}_${ARCH}
rm -rf build/deb && mkdir -p "$PKG/DEBIAN" "$PKG/opt" "$PKG/usr/bin"
cp -a dist/valutazione "$PKG/opt/valutazione"
cat > "$PKG/usr/bin/valutazione-gui" <<'SH'
#!/bin/sh
exec /opt/valutazione/valutazione-gui "$@"
SH
chmod 755 "$PKG/usr/bin/valutazione-gui"
install_desktop_files "$PKG/usr" valutazione-gui
SIZE=$(du -sk --exclude=DEBIAN "$PKG" | cut -f1)
cat > "$PKG/DEBIAN/control" <<CTL
Package: valutazione
Version: $VERSION
Section: office
Priority: optional
Architecture: $ARCH
Installed-Size: $SIZE
Depends: libc6, libgl1, libegl1, libxkbcommon0, libxkbcommon-x11-0, libfontconfig1, libfreetype6, libglib2.0-0, libdbus-1-3, libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxcb-shape0
Maintainer: valutazione <valutazione@example.invalid>
Description: Valutazione delle domande ai bandi pubblici di contributo
 Commissioni di valutazione: dichiarazioni, ammissibilità, punteggi dei
 commissari anche offline, graduatoria, verbali firmabili (PAdES).
CTL
for script in postinst postrm; do
  cat > "$PKG/DEBIAN/$script" <<'SH'
#!/bin/sh
set -e
if command -v update-mime-database >/dev/null; then update-mime-database /usr/share/mime || true; fi
if command -v update-desktop-database >/dev/null; then update-desktop-database -q /usr/share/applications || true; fi
if command -v gtk-update-icon-cache >/dev/null; then gtk-update-icon-cache -q -t /usr/share/icons/hicolor || true; fi
SH
  chmod 755 "$PKG/DEBIAN/$script"
done
# gzip -6: readable by every dpkg (zstd needs dpkg >= 1.21.18), several times quicker to build than xz
dpkg-deb -Zgzip -z6 --root-owner-group --build "$PKG" "dist/valutazione_${VERSION}_${ARCH}.deb" >/dev/null

step "Fatto"
echo "Creati:"
ls -1sh dist/valutazione/valutazione-gui "dist/$TARNAME-linux-$ARCH.tar.gz" "dist/valutazione_${VERSION}_${ARCH}.deb"
du -sh dist/valutazione
