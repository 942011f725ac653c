#!/usr/bin/env bash
# Loads one data set into bench.records of the database $PGDATABASE.
#   load.sh febrl4 | febrl3 | febrl1 | ncvr20 | ncvr0
set -euo pipefail
DATA=${OMNI_DATA_DIR:-/work/shared/data}
q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

febrl()
{
	local file=$1 channel=$2
	q <<SQL
CREATE TEMP TABLE raw (rec_id text, given_name text, surname text, street_number text, address_1 text,
    address_2 text, suburb text, postcode text, state text, date_of_birth text, soc_sec_id text);
\copy raw FROM '$DATA/febrl/$file' WITH (FORMAT csv, HEADER true)
INSERT INTO bench.records (channel, source_key, entity, attrs)
SELECT '$channel', btrim(rec_id), split_part(btrim(rec_id), '-', 2),
       jsonb_strip_nulls(jsonb_build_object(
           'first_name', nullif(btrim(given_name), ''), 'last_name', nullif(btrim(surname), ''),
           'address', nullif(btrim(concat_ws(' ', nullif(btrim(street_number), ''), nullif(btrim(address_1), ''))), ''),
           'city', nullif(btrim(suburb), ''), 'postcode', nullif(btrim(postcode), ''),
           'birth_date', nullif(btrim(date_of_birth), '')))
  FROM raw;
SQL
}

ncvr()
{
	local ocp=$1
	local channels=(web app pos social support)
	for p in 0 1 2 3 4; do
		q <<SQL
CREATE TEMP TABLE raw (recid text, givenname text, surname text, suburb text, postcode text);
\copy raw FROM '$DATA/ncvr/ncvr_numrec_5000_modrec_2_ocp_${ocp}_myp_${p}_nump_5.csv' WITH (FORMAT csv, HEADER true)
INSERT INTO bench.records (channel, source_key, entity, attrs)
SELECT '${channels[$p]}', 'p$p-' || row_number() OVER (), recid,
       jsonb_strip_nulls(jsonb_build_object(
           'first_name', nullif(btrim(givenname), ''), 'last_name', nullif(btrim(surname), ''),
           'city', nullif(btrim(suburb), ''), 'postcode', nullif(btrim(postcode), '')))
  FROM raw;
SQL
	done
}

case "$1" in
febrl1) febrl dataset1.csv web ;;
febrl3) febrl dataset3.csv web ;;
febrl4) febrl dataset4a.csv web; febrl dataset4b.csv pos ;;
ncvr20) ncvr 20 ;;
ncvr0) ncvr 0 ;;
*) echo "unknown data set $1" >&2; exit 2 ;;
esac
