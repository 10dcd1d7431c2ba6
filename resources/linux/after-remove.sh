#!/bin/bash
# deb after-remove: the `yinjian` launcher goes with the package (issue #15).
if [ -f '/usr/bin/${executable}' ] && grep -q 'Installed by the yinjian package' '/usr/bin/${executable}' 2>/dev/null; then
  rm -f '/usr/bin/${executable}'
fi
