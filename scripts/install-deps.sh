#!/usr/bin/env bash
# Install, on Debian 12, whatever omnichannel needs to build, run and test,
# and nothing when it is all there already.  Needs root (or sudo) only when
# something is missing.
set -euo pipefail

PGVER=${PGVER:-15}
PACKAGES=(
	"postgresql-$PGVER"
	"postgresql-server-dev-$PGVER"
	"postgresql-contrib"
	"postgresql-$PGVER-cron"
	"postgresql-$PGVER-pgtap"
	pgtap
	libpq-dev
	libipc-run-perl
	build-essential
	git
	python3
	# fuzzing (clang -fsanitize=fuzzer needs its runtime) and random SQL
	clang
	libclang-rt-14-dev
	sqlsmith
)

missing=()
for p in "${PACKAGES[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: every package is already installed"
	exit 0
fi

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null; then
		SUDO=sudo
	else
		echo "install-deps: missing packages (${missing[*]}) and not root; install them and retry" >&2
		exit 1
	fi
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# Debian's postgresql-common would create and start a system cluster "main"
# on a fresh install; we never use one, so ask it not to.
if [ ! -e /etc/postgresql-common/createcluster.conf ] || ! grep -q '^create_main_cluster *= *false' /etc/postgresql-common/createcluster.conf 2>/dev/null; then
	$SUDO mkdir -p /etc/postgresql-common/createcluster.d
	echo "create_main_cluster = false" | $SUDO tee /etc/postgresql-common/createcluster.d/omnichannel.conf >/dev/null
fi
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
