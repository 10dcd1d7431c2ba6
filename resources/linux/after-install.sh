#!/bin/bash
# deb after-install (electron-builder template: ${executable}, ${sanitizedProductName}).
# Issue #15: /usr/bin/yinjian is the command line, not a link to the window: a small launcher
# that starts the app binary with its `cli` argument (no window; RunAsNode stays off). The
# desktop menu entry starts the window from /opt directly.
set -e
APP='/opt/${sanitizedProductName}/${executable}'

# An earlier package version linked /usr/bin/yinjian to the window (update-alternatives or ln -s).
if type update-alternatives >/dev/null 2>&1; then
  update-alternatives --remove '${executable}' "$APP" >/dev/null 2>&1 || true
fi
if [ -L '/usr/bin/${executable}' ]; then rm -f '/usr/bin/${executable}'; fi
cat > '/usr/bin/${executable}' <<LAUNCHER
#!/bin/sh
# 印鉴 Yinjian command line: yinjian --help. Installed by the yinjian package.
exec "$APP" cli "\$@"
LAUNCHER
chmod 0755 '/usr/bin/${executable}'

# As electron-builder's own after-install: the Chromium sandbox helper.
if ! { [[ -L /proc/self/ns/user ]] && unshare --user true; }; then
  chmod 4755 '/opt/${sanitizedProductName}/chrome-sandbox' || true
else
  chmod 0755 '/opt/${sanitizedProductName}/chrome-sandbox' || true
fi
if hash update-mime-database 2>/dev/null; then update-mime-database /usr/share/mime || true; fi
if hash update-desktop-database 2>/dev/null; then update-desktop-database /usr/share/applications || true; fi
