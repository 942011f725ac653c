#!/usr/bin/env bash
# make test runs the short torture form.
exec bash "$(dirname "$0")/stock.sh"
