#!/usr/bin/env bash
# Install Debian's HAProxy when it is missing: the several-hosts benchmark and test run it in the
# foreground with a configuration they write, so the system service is stopped and left disabled.
set -euo pipefail

if command -v haproxy >/dev/null 2>&1; then
  exit 0
fi
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
$sudo apt-get update -qq
# policy-rc.d answering 101 keeps the package's post-install from starting the service.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod +x "$policy"
  trap '$sudo rm -f "$policy"' EXIT
fi
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq haproxy >/dev/null
command -v haproxy >/dev/null
