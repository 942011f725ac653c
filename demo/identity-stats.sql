-- Identity resolution statistics of the demo: how many channel records
-- became how many customers, before and after omni.resolve_identities(),
-- scored against the generator's ground truth (demo.records.p is the real
-- person behind each record; omni never sees it).
\set ON_ERROR_STOP 1
\pset footer off
CREATE TEMP VIEW truth AS
SELECT (SELECT count(*) FROM demo.records) AS channel_records,
       (SELECT count(DISTINCT p) FROM demo.records) AS real_people,
       (SELECT count(*) FROM omni.customers WHERE status = 'active') AS customers,
       (SELECT count(*) FROM (SELECT r.p FROM demo.records r JOIN omni.identities i USING (channel, source_key)
                               GROUP BY r.p HAVING count(DISTINCT i.customer_id) > 1) x) AS people_split,
       (SELECT count(*) FROM (SELECT i.customer_id FROM demo.records r JOIN omni.identities i USING (channel, source_key)
                               GROUP BY i.customer_id HAVING count(DISTINCT r.p) > 1) x) AS customers_mixing_people;
\set ECHO queries
SELECT channel, count(*) AS records FROM omni.identities GROUP BY 1 ORDER BY 2 DESC;
SELECT link_rule AS linked_by, count(*) AS records FROM omni.identities GROUP BY 1 ORDER BY 2 DESC;
\echo 'people_split: people whose records sit in several customers (links missed);'
\echo 'customers_mixing_people: customers holding records of different people (false'
\echo 'merges: the generator makes namesakes, e.g. two Maria Silva in Sao Paulo).'
\echo
\echo 'As each channel was connected (omni.identify, one record at a time):'
SELECT * FROM truth;
\echo 'Then the nightly batch re-clustering of every identity:'
SELECT * FROM omni.resolve_identities();
SELECT * FROM truth;
\echo 'The customers that mix people: are those people namesakes (same first name,'
\echo 'last name and city, which no matcher can tell apart without more data)?'
SELECT count(*) AS customers_mixing_people,
       count(*) FILTER (WHERE names = 1) AS of_which_namesakes
  FROM (SELECT i.customer_id, count(DISTINCT pe.first || '|' || pe.last || '|' || pe.city) AS names
          FROM demo.records r
          JOIN omni.identities i USING (channel, source_key)
          JOIN demo.persons pe USING (p)
         GROUP BY i.customer_id HAVING count(DISTINCT r.p) > 1) x;
\set ECHO none
