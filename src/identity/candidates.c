/*-------------------------------------------------------------------------
 *
 * candidates.c
 *	  Blocking keys of an identity record, and the GIN operator class that
 *	  indexes omni.identities.norm by them.
 *
 * A candidate for a record is any identity sharing at least one blocking
 * key with it.  Each key combines two fields (first name and postcode,
 * phonetic names and postcode area, birth date and an initial, ...), so a
 * typo in one field still leaves other keys that agree, while no key is as
 * common as a surname alone.  Keys are 32-bit hashes; the GIN index stores
 * them as int4 entries, and the operator
 *
 *		norm OPERATOR(omni.&&) query	-- the two records share a key hash
 *
 * is answered exactly by the index (no recheck): it is defined on the
 * hashes themselves, and a rare collision only adds a candidate, which the
 * scorer then rejects.
 *
 *-------------------------------------------------------------------------
 */
#define OMNI_IDENTITY_SERVER
#include "identity/identity.h"

#include "access/gin.h"
#include "access/stratnum.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

PG_FUNCTION_INFO_V1(omni_identity_blocking_keys);
PG_FUNCTION_INFO_V1(omni_identity_shares_block);
PG_FUNCTION_INFO_V1(omni_identity_has_key);
PG_FUNCTION_INFO_V1(omni_identity_gin_extract_value);
PG_FUNCTION_INFO_V1(omni_identity_gin_extract_query);
PG_FUNCTION_INFO_V1(omni_identity_gin_consistent);
PG_FUNCTION_INFO_V1(omni_identity_gin_triconsistent);

typedef struct KeyBuilder
{
	char		buf[600];
	int			len;
} KeyBuilder;

static void
KeyStart(KeyBuilder *kb, char rule)
{
	kb->buf[0] = rule;
	kb->len = 1;
}

static void
KeyAdd(KeyBuilder *kb, const char *s, int len)
{
	if (len > 250)
		len = 250;
	if (kb->len > 1)
		kb->buf[kb->len++] = '|';
	memcpy(kb->buf + kb->len, s, len);
	kb->len += len;
}

static int
KeyEmit(KeyBuilder *kb, uint32_t *keys, int n, int max)
{
	if (n < max)
		keys[n++] = hash_bytes((const unsigned char *) kb->buf, kb->len);
	return n;
}

static int
CmpUint32(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *) a;
	uint32_t	y = *(const uint32_t *) b;

	return x < y ? -1 : x > y;
}

/* Sort keys[0..n) and drop repeats; returns how many are left */
static int
SortUniqueKeys(uint32_t *keys, int n)
{
	int			out = 0;

	qsort(keys, n, sizeof(uint32_t), CmpUint32);
	for (int i = 0; i < n; i++)
		if (out == 0 || keys[i] != keys[out - 1])
			keys[out++] = keys[i];
	return out;
}

#define HAS(f) (rec->len[f] > 0)
#define V(f) rec->v[f], rec->len[f]

/* A rule over two fields, emitted only when both are present */
static int
Pair(const OmniRecord *rec, char rule, int f1, int len1, int f2, int len2,
	 uint32_t *keys, int n, int max)
{
	KeyBuilder	kb;

	if (!HAS(f1) || !HAS(f2))
		return n;
	KeyStart(&kb, rule);
	KeyAdd(&kb, rec->v[f1], len1 > 0 && len1 < rec->len[f1] ? len1 : rec->len[f1]);
	KeyAdd(&kb, rec->v[f2], len2 > 0 && len2 < rec->len[f2] ? len2 : rec->len[f2]);
	return KeyEmit(&kb, keys, n, max);
}

/*
 * A rule over one of the two names and another field, emitted for each
 * name under one rule letter: a record with its names swapped (a form
 * filled the wrong way round) then still shares the key.  len1 cuts the
 * name, len2 the other field (0: whole).
 */
static int
EitherName(const OmniRecord *rec, char rule, int name1, int name2, int len1,
		   int f2, int len2, uint32_t *keys, int n, int max)
{
	n = Pair(rec, rule, name1, len1, f2, len2, keys, n, max);
	return Pair(rec, rule, name2, len1, f2, len2, keys, n, max);
}

/*
 * Two values in a fixed order (the smaller first), for keys that must not
 * depend on which of two fields a value was typed into
 */
static void
KeyAddSorted(KeyBuilder *kb, const char *a, int la, const char *b, int lb)
{
	int			c = memcmp(a, b, Min(la, lb));

	if (c > 0 || (c == 0 && la > lb))
	{
		KeyAdd(kb, b, lb);
		KeyAdd(kb, a, la);
	}
	else
	{
		KeyAdd(kb, a, la);
		KeyAdd(kb, b, lb);
	}
}

/*
 * The blocking keys of a record, sorted and without duplicates; returns
 * how many.  Every key but the identifiers combines two fields, so that a
 * typo in one field leaves other keys intact, and no key is as common as a
 * surname or a city alone.  Keys over names do not depend on which name
 * field a value is in (first and last name swapped still meet).  The place
 * is the postcode when there is one (P3 = its first three characters, the
 * area), else the city:
 *	E email key; P phone;
 *	A both names|birth year (when known); Z both names (a birth date
 *	  missing on one side, or a mistyped year);
 *	B either name|postcode;
 *	D either name|the other's initial|city;
 *	X either name|city;
 *	V address|city; K address|P3; T the address alone, spaces left out
 *	  (a postcode and a city both mistyped, or a space slipped);
 *	W birth date|city; L birth date|postcode;
 *	H birth date|either initial;
 *	G both Soundex codes|P3; U the same|city; J the same|birth year;
 *	M either name's Soundex|postcode;
 *	O first three letters of both names|P3 (or the city); Q the same|city;
 *	R first two letters of either name|postcode.
 * Two values of one key (the names, their codes, their prefixes) are
 * always put in the same order.
 */
int
OmniBlockingKeys(const OmniRecord *rec, uint32_t *keys, int max)
{
	KeyBuilder	kb;
	int			n = 0;
	const int	fn = OMNI_F_FIRST_NAME,
				ln = OMNI_F_LAST_NAME;

	if (HAS(OMNI_F_EMAIL))
	{
		KeyStart(&kb, 'E');
		KeyAdd(&kb, V(OMNI_F_EMAIL));
		n = KeyEmit(&kb, keys, n, max);
	}
	if (HAS(OMNI_F_PHONE))
	{
		KeyStart(&kb, 'P');
		KeyAdd(&kb, V(OMNI_F_PHONE));
		n = KeyEmit(&kb, keys, n, max);
	}
	/*
	 * A postcode is the place when there is one: a city can hold a tenth of
	 * a country's customers, and "james" in it is a block of thousands.
	 * The city keys serve records without a postcode, and the name pair
	 * alone records with no place at all.
	 */
	if (HAS(fn) && HAS(ln))
	{
		/* the full name wherever the person lives (with the birth year if any) */
		KeyStart(&kb, 'A');
		KeyAddSorted(&kb, V(fn), V(ln));
		if (HAS(OMNI_F_BIRTH_DATE))
		{
			KeyAdd(&kb, rec->v[OMNI_F_BIRTH_DATE], Min(rec->len[OMNI_F_BIRTH_DATE], 4));
			n = KeyEmit(&kb, keys, n, max);
			/* and without it: the other record may have no date, or another */
			KeyStart(&kb, 'A');
			KeyAddSorted(&kb, V(fn), V(ln));
		}
		n = KeyEmit(&kb, keys, n, max);
	}
	n = EitherName(rec, 'B', fn, ln, 0, OMNI_F_POSTCODE, 0, keys, n, max);
	/* a name, the other name's initial and the city: the postcode may be wrong */
	if (HAS(fn) && HAS(ln) && HAS(OMNI_F_CITY))
	{
		for (int s = 0; s < 2; s++)
		{
			int			f1 = s == 0 ? fn : ln;
			int			f2 = s == 0 ? ln : fn;

			KeyStart(&kb, 'D');
			KeyAdd(&kb, V(f1));
			KeyAdd(&kb, rec->v[f2], 1);
			KeyAdd(&kb, V(OMNI_F_CITY));
			n = KeyEmit(&kb, keys, n, max);
		}
	}
	/*
	 * a name and the city alone, for a postcode and the other name both
	 * mistyped (common names in a big city make big blocks: look-ups leave
	 * them out as hot keys, resolve_identities takes the rarest blocks first)
	 */
	n = EitherName(rec, 'X', fn, ln, 0, OMNI_F_CITY, 0, keys, n, max);
	/* a birth date or an address is specific enough beside any place */
	n = Pair(rec, 'V', OMNI_F_ADDRESS, 0, OMNI_F_CITY, 0, keys, n, max);
	n = Pair(rec, 'W', OMNI_F_BIRTH_DATE, 0, OMNI_F_CITY, 0, keys, n, max);
	if (HAS(OMNI_F_BIRTH_DATE))
		n = EitherName(rec, 'H', fn, ln, 1, OMNI_F_BIRTH_DATE, 0, keys, n, max);
	n = Pair(rec, 'K', OMNI_F_ADDRESS, 0, OMNI_F_POSTCODE, 3, keys, n, max);
	n = Pair(rec, 'L', OMNI_F_BIRTH_DATE, 0, OMNI_F_POSTCODE, 0, keys, n, max);
	n = EitherName(rec, 'M', OMNI_F_FIRST_PHON, OMNI_F_LAST_PHON, 0, OMNI_F_POSTCODE, 0,
				   keys, n, max);
	n = EitherName(rec, 'R', fn, ln, 2, OMNI_F_POSTCODE, 0, keys, n, max);
	if (HAS(OMNI_F_ADDRESS))
	{
		/*
		 * The street address by itself, without its spaces ("10 walker
		 * crescent" = "10 walkercrescent"), when it names a street (a bare
		 * house number would be a block of half the country)
		 */
		bool		letter = false;

		KeyStart(&kb, 'T');
		for (int i = 0; i < rec->len[OMNI_F_ADDRESS] && kb.len < 250; i++)
		{
			char		c = rec->v[OMNI_F_ADDRESS][i];

			if (c == ' ')
				continue;
			letter |= (c >= 'a' && c <= 'z') || (unsigned char) c >= 0x80;
			kb.buf[kb.len++] = c;
		}
		if (letter)
			n = KeyEmit(&kb, keys, n, max);
	}
	if (HAS(fn) && HAS(ln) &&
		(HAS(OMNI_F_POSTCODE) || HAS(OMNI_F_CITY)))
	{
		/* name prefixes survive a typo late in both names */
		KeyStart(&kb, 'O');
		KeyAddSorted(&kb, rec->v[fn], Min(rec->len[fn], 3), rec->v[ln], Min(rec->len[ln], 3));
		if (HAS(OMNI_F_POSTCODE))
			KeyAdd(&kb, rec->v[OMNI_F_POSTCODE], Min(rec->len[OMNI_F_POSTCODE], 3));
		else
			KeyAdd(&kb, V(OMNI_F_CITY));
		n = KeyEmit(&kb, keys, n, max);
		if (HAS(OMNI_F_POSTCODE) && HAS(OMNI_F_CITY))
		{
			KeyStart(&kb, 'Q');
			KeyAddSorted(&kb, rec->v[fn], Min(rec->len[fn], 3), rec->v[ln], Min(rec->len[ln], 3));
			KeyAdd(&kb, V(OMNI_F_CITY));
			n = KeyEmit(&kb, keys, n, max);
		}
	}
	if (HAS(OMNI_F_FIRST_PHON) && HAS(OMNI_F_LAST_PHON))
	{
		/* the two codes in a fixed order, so swapped names still meet */
		bool		swap = memcmp(rec->v[OMNI_F_FIRST_PHON], rec->v[OMNI_F_LAST_PHON], 4) > 0;
		int			p1 = swap ? OMNI_F_LAST_PHON : OMNI_F_FIRST_PHON;
		int			p2 = swap ? OMNI_F_FIRST_PHON : OMNI_F_LAST_PHON;

		if (HAS(OMNI_F_POSTCODE) || !HAS(OMNI_F_CITY))
		{
			KeyStart(&kb, 'G');
			KeyAdd(&kb, V(p1));
			KeyAdd(&kb, V(p2));
			if (HAS(OMNI_F_POSTCODE))
				KeyAdd(&kb, rec->v[OMNI_F_POSTCODE],
					   rec->len[OMNI_F_POSTCODE] < 3 ? rec->len[OMNI_F_POSTCODE] : 3);
			n = KeyEmit(&kb, keys, n, max);
		}
		if (HAS(OMNI_F_CITY))
		{
			KeyStart(&kb, 'U');
			KeyAdd(&kb, V(p1));
			KeyAdd(&kb, V(p2));
			KeyAdd(&kb, V(OMNI_F_CITY));
			n = KeyEmit(&kb, keys, n, max);
		}
		if (HAS(OMNI_F_BIRTH_DATE))
		{
			KeyStart(&kb, 'J');
			KeyAdd(&kb, V(p1));
			KeyAdd(&kb, V(p2));
			KeyAdd(&kb, rec->v[OMNI_F_BIRTH_DATE],
				   rec->len[OMNI_F_BIRTH_DATE] < 4 ? rec->len[OMNI_F_BIRTH_DATE] : 4);
			n = KeyEmit(&kb, keys, n, max);
		}
	}

	return SortUniqueKeys(keys, n);
}

/*
 * The blocking keys of a record.  A query record may carry "xk", an array
 * of key hashes to leave out: identify and match_candidates put there the
 * record's keys whose blocks are hot (omni.identity_hot_keys), so that a
 * common name in a big city does not bring thousands of candidates when
 * the record's other keys are selective.
 */
static int
JsonbKeys(Jsonb *jb, uint32_t *keys)
{
	OmniRecord	rec;
	JsonbValue	v;
	int			n,
				out = 0;

	OmniRecordFromJsonb(jb, &rec);
	n = OmniBlockingKeys(&rec, keys, OMNI_MAX_BLOCKING_KEYS);
	if (!JsonContainerIsObject(&jb->root) ||
		!getKeyJsonValueFromContainer(&jb->root, "xk", 2, &v) || v.type != jbvBinary ||
		!JsonContainerIsArray(v.val.binary.data))
		return n;
	for (int i = 0; i < n; i++)
	{
		bool		skip = false;
		uint32		size = JsonContainerSize(v.val.binary.data);

		for (uint32 j = 0; j < size && !skip; j++)
		{
			JsonbValue *e = getIthJsonbValueFromContainer(v.val.binary.data, j);

			if (e != NULL && e->type == jbvNumeric &&
				DatumGetInt32(DirectFunctionCall1(numeric_int4,
												  NumericGetDatum(e->val.numeric))) == (int32) keys[i])
				skip = true;
		}
		if (!skip)
			keys[out++] = keys[i];
	}
	return out;
}

/* omni.identity_blocking_keys(norm jsonb) -> int4[] */
Datum
omni_identity_blocking_keys(PG_FUNCTION_ARGS)
{
	uint32_t	keys[OMNI_MAX_BLOCKING_KEYS];
	int			n = JsonbKeys(PG_GETARG_JSONB_P(0), keys);
	Datum		d[OMNI_MAX_BLOCKING_KEYS];

	for (int i = 0; i < n; i++)
		d[i] = Int32GetDatum((int32) keys[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(d, n, INT4OID, 4, true, TYPALIGN_INT));
}

/* Do two sorted key lists share a key?  A merge walk. */
static bool
SortedKeysMeet(const uint32_t *a, int na, const uint32_t *b, int nb)
{
	int			i = 0,
				j = 0;

	while (i < na && j < nb)
	{
		if (a[i] == b[j])
			return true;
		if (a[i] < b[j])
			i++;
		else
			j++;
	}
	return false;
}

/* norm && query: do the two records share a blocking key (hash)? */
Datum
omni_identity_shares_block(PG_FUNCTION_ARGS)
{
	uint32_t	keys[OMNI_MAX_BLOCKING_KEYS];
	uint32_t	qkeys[OMNI_MAX_BLOCKING_KEYS];
	int			n = JsonbKeys(PG_GETARG_JSONB_P(0), keys);
	int			nq = JsonbKeys(PG_GETARG_JSONB_P(1), qkeys);

	PG_RETURN_BOOL(SortedKeysMeet(keys, n, qkeys, nq));
}

/*
 * The key hashes of an int4[] query, sorted and without duplicates (NULL
 * elements are no key), palloc'd; *n is set to how many.
 */
static uint32_t *
ArrayKeys(ArrayType *arr, int *n_out)
{
	Datum	   *elems;
	bool	   *nulls;
	int			nelems,
				n = 0;
	uint32_t   *keys;

	if (ARR_ELEMTYPE(arr) != INT4OID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("blocking keys must be an int4 array")));
	deconstruct_array(arr, INT4OID, 4, true, TYPALIGN_INT, &elems, &nulls, &nelems);
	keys = palloc(sizeof(uint32_t) * (nelems + 1));
	for (int i = 0; i < nelems; i++)
		if (!nulls[i])
			keys[n++] = (uint32_t) DatumGetInt32(elems[i]);
	*n_out = SortUniqueKeys(keys, n);
	return keys;
}

/*
 * norm && keys: does the record have one of these blocking keys?  The
 * look-up of identify and match_candidates (omni.identity_lookup) chooses
 * which of a record's keys to search and asks for them by hash.
 */
Datum
omni_identity_has_key(PG_FUNCTION_ARGS)
{
	uint32_t	keys[OMNI_MAX_BLOCKING_KEYS];
	int			n = JsonbKeys(PG_GETARG_JSONB_P(0), keys);
	int			nq;
	uint32_t   *qkeys = ArrayKeys(PG_GETARG_ARRAYTYPE_P(1), &nq);

	PG_RETURN_BOOL(SortedKeysMeet(keys, n, qkeys, nq));
}

/* A record's blocking keys as GIN entries: an indexed row and a query alike */
static Datum *
KeysAsEntries(Jsonb *jb, int32 *nentries)
{
	uint32_t	keys[OMNI_MAX_BLOCKING_KEYS];
	int			n = JsonbKeys(jb, keys);
	Datum	   *entries = NULL;

	if (n > 0)
	{
		entries = palloc(sizeof(Datum) * n);
		for (int i = 0; i < n; i++)
			entries[i] = Int32GetDatum((int32) keys[i]);
	}
	*nentries = n;
	return entries;
}

/* GIN support 2: the keys of an indexed record */
Datum
omni_identity_gin_extract_value(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(KeysAsEntries(PG_GETARG_JSONB_P(0), (int32 *) PG_GETARG_POINTER(1)));
}

/*
 * GIN support 3: the keys of the query record (strategy 1) or the keys
 * asked for (strategy 2, an int4[]); none means no row can match
 */
Datum
omni_identity_gin_extract_query(PG_FUNCTION_ARGS)
{
	int32	   *nentries = (int32 *) PG_GETARG_POINTER(1);
	StrategyNumber strategy = PG_GETARG_UINT16(2);
	uint32_t   *keys;
	Datum	   *entries = NULL;
	int			n;

	if (strategy != 2)
		PG_RETURN_POINTER(KeysAsEntries(PG_GETARG_JSONB_P(0), nentries));
	keys = ArrayKeys(PG_GETARG_ARRAYTYPE_P(0), &n);
	if (n > 0)
	{
		entries = palloc(sizeof(Datum) * n);
		for (int i = 0; i < n; i++)
			entries[i] = Int32GetDatum((int32) keys[i]);
	}
	*nentries = n;
	PG_RETURN_POINTER(entries);
}

/* GIN support 4: a row matches when any one key is present, exactly */
Datum
omni_identity_gin_consistent(PG_FUNCTION_ARGS)
{
	bool	   *check = (bool *) PG_GETARG_POINTER(0);
	int32		nkeys = PG_GETARG_INT32(3);
	bool	   *recheck = (bool *) PG_GETARG_POINTER(5);

	*recheck = false;
	for (int i = 0; i < nkeys; i++)
		if (check[i])
			PG_RETURN_BOOL(true);
	PG_RETURN_BOOL(false);
}

/* GIN support 6: the same, over true/false/maybe */
Datum
omni_identity_gin_triconsistent(PG_FUNCTION_ARGS)
{
	GinTernaryValue *check = (GinTernaryValue *) PG_GETARG_POINTER(0);
	int32		nkeys = PG_GETARG_INT32(3);
	GinTernaryValue res = GIN_FALSE;

	for (int i = 0; i < nkeys; i++)
	{
		if (check[i] == GIN_TRUE)
			PG_RETURN_GIN_TERNARY_VALUE(GIN_TRUE);
		if (check[i] == GIN_MAYBE)
			res = GIN_MAYBE;
	}
	PG_RETURN_GIN_TERNARY_VALUE(res);
}
