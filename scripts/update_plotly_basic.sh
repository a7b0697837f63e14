#!/bin/sh
# Refresh sendlib/explorer/static/plotly-basic.min.js: plotly.js's "basic" bundle (scatter,
# bar and pie traces, 1.2 MB against the full bundle's 4.8 MB) at the version of plotly.js
# that the installed plotly ships, from the npm registry. The explorer's page runs it as it
# opens (sendlib/explorer/chart.py); the full bundle took 2.2 s of the browser's main thread
# on the 2-core development machine, this one 0.25 s. Run after upgrading plotly:
#   sh scripts/update_plotly_basic.sh
set -eu
cd "$(dirname "$0")/.."
version=$(.venv/bin/python -c "from plotly.offline import get_plotlyjs_version as v; print(v())")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "plotly.js-basic-dist-min@$version" >/dev/null && tar xzf ./*.tgz)
cp "$work/package/plotly-basic.min.js" sendlib/explorer/static/plotly-basic.min.js
cp "$work/package/LICENSE" sendlib/explorer/static/plotly-basic.LICENSE
echo "plotly.js basic $version in sendlib/explorer/static/"
