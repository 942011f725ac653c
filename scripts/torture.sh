#!/usr/bin/env bash
# `make torture`: the long torture runs on a private cluster of their own.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pgenv.sh
export OMNI_PGPORT=${OMNI_PGPORT:-54317}
export OMNI_CLUSTER_DIR=${OMNI_CLUSTER_DIR:-/tmp/omnichannel-torture-$(id -u)}
bash scripts/install-deps.sh >/dev/null
bash scripts/build.sh
eval "$(bash scripts/cluster.sh env)"
trap 'bash scripts/cluster.sh stop' EXIT
bash scripts/cluster.sh start
OMNI_TORTURE_CLIENTS=${OMNI_TORTURE_CLIENTS:-32} OMNI_TORTURE_SECONDS=${OMNI_TORTURE_SECONDS:-120} \
	bash test/torture/stock.sh
