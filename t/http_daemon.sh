#!/bin/bash
# http_daemon.sh - the HTTP tests of t/http_serve.sh against pxebootd
# itself (the plugin loaded by the daemon, http.root mounted by it).
[ -x "$top_builddir/daemon/pxebootd" ] || { echo "1..0 # SKIP pxebootd is not built"; exit 0; }
HTTP_SERVER=pxebootd exec bash "$top_srcdir/t/http_serve.sh"
