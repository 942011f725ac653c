#!/usr/bin/env bash
# make test runs a short fuzzing pass (make fuzz: 10 million inputs each).
exec bash "$(dirname "$0")/../../scripts/fuzz.sh" "${OMNI_FUZZ_RUNS:-300000}"
