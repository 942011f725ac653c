/*-------------------------------------------------------------------------
 *
 * functions.c
 *	  SQL-callable comparators, normalisation of identity attributes, and
 *	  the identity settings.
 *
 *-------------------------------------------------------------------------
 */
#define OMNI_IDENTITY_SERVER
#include "identity/identity.h"
#include "omnichannel.h"

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

PG_FUNCTION_INFO_V1(omni_jaro_winkler);
PG_FUNCTION_INFO_V1(omni_jaro);
PG_FUNCTION_INFO_V1(omni_damerau_levenshtein);
PG_FUNCTION_INFO_V1(omni_phonetic);
PG_FUNCTION_INFO_V1(omni_fold);
PG_FUNCTION_INFO_V1(omni_identity_normalise);

/* settings: see OmniIdentityInit */
double		omni_identity_match_threshold = 0.9;
double		omni_identity_nonmatch_threshold = 0.01;
int			omni_identity_max_candidates = 2000;
int			omni_identity_resolve_partners = 64;
bool		omni_identity_bridge = false;

/*
 * Text argument as code points, rejecting what the comparators would cut:
 * an answer about the first 255 characters of a longer string would be
 * silently wrong.
 */
static int
TextToCodePoints(text *t, uint32_t *out)
{
	int			len = VARSIZE_ANY_EXHDR(t);
	const char *s = VARDATA_ANY(t);
	int			n;

	if (GetDatabaseEncoding() != PG_UTF8)
	{
		/* one byte per character in single-byte encodings */
		n = 0;
		if (len > OMNI_ID_MAXCHARS)
			n = OMNI_ID_MAXCHARS + 1;
		else
			for (; n < len; n++)
				out[n] = (unsigned char) s[n];
	}
	else
		n = pg_mbstrlen_with_len(s, len) > OMNI_ID_MAXCHARS ?
			OMNI_ID_MAXCHARS + 1 : omni_utf8_decode(s, len, out, OMNI_ID_MAXCHARS);
	if (n > OMNI_ID_MAXCHARS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("string too long for a similarity comparison"),
				 errdetail("A string of more than %d characters was given.", OMNI_ID_MAXCHARS),
				 errhint("Compare names, places or codes, not whole documents.")));
	return n;
}

Datum
omni_jaro_winkler(PG_FUNCTION_ARGS)
{
	uint32_t	a[OMNI_ID_MAXCHARS + 1];
	uint32_t	b[OMNI_ID_MAXCHARS + 1];
	int			la = TextToCodePoints(PG_GETARG_TEXT_PP(0), a);
	int			lb = TextToCodePoints(PG_GETARG_TEXT_PP(1), b);

	PG_RETURN_FLOAT8(omni_jaro_winkler_cp(a, la, b, lb));
}

Datum
omni_jaro(PG_FUNCTION_ARGS)
{
	uint32_t	a[OMNI_ID_MAXCHARS + 1];
	uint32_t	b[OMNI_ID_MAXCHARS + 1];
	int			la = TextToCodePoints(PG_GETARG_TEXT_PP(0), a);
	int			lb = TextToCodePoints(PG_GETARG_TEXT_PP(1), b);

	PG_RETURN_FLOAT8(omni_jaro_cp(a, la, b, lb));
}

Datum
omni_damerau_levenshtein(PG_FUNCTION_ARGS)
{
	uint32_t	a[OMNI_ID_MAXCHARS + 1];
	uint32_t	b[OMNI_ID_MAXCHARS + 1];
	int			la = TextToCodePoints(PG_GETARG_TEXT_PP(0), a);
	int			lb = TextToCodePoints(PG_GETARG_TEXT_PP(1), b);
	int		   *work = palloc(sizeof(int) * omni_damerau_levenshtein_work_size(la, lb));

	PG_RETURN_INT32(omni_damerau_levenshtein_cp(a, la, b, lb, work));
}

/* Soundex of the folded text, so "Müller" and "Muller" share a code */
Datum
omni_phonetic(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	char	   *folded = palloc(VARSIZE_ANY_EXHDR(t) * 2 + 1);
	int			n = omni_fold_str(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), folded,
							  VARSIZE_ANY_EXHDR(t) * 2 + 1, 0);
	char		code[5];

	omni_soundex(folded, n, code);
	PG_RETURN_TEXT_P(cstring_to_text(code));
}

Datum
omni_fold(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	int			size = VARSIZE_ANY_EXHDR(t) * 2 + 1;
	char	   *out = palloc(size);

	omni_fold_str(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), out, size, 1);
	PG_RETURN_TEXT_P(cstring_to_text(out));
}

/*
 * A scalar attribute as text: strings as they are, numbers written out
 * (a postcode sent as 27284), anything else (objects, booleans) ignored.
 */
static char *
AttrText(Jsonb *attrs, const char *key, int *len)
{
	JsonbValue	v;

	if (!JsonContainerIsObject(&attrs->root) ||
		!getKeyJsonValueFromContainer(&attrs->root, key, strlen(key), &v))
		return NULL;
	if (v.type == jbvString)
	{
		*len = v.val.string.len;
		return v.val.string.val;
	}
	if (v.type == jbvNumeric)
	{
		char	   *s = DatumGetCString(DirectFunctionCall1(numeric_out,
															NumericGetDatum(v.val.numeric)));

		*len = strlen(s);
		return s;
	}
	return NULL;
}

static void
PushPair(JsonbParseState **state, const char *key, const char *val, int len)
{
	JsonbValue	k,
				v;

	if (val == NULL || len == 0)
		return;
	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = strlen(key);
	v.type = jbvString;
	/* pushJsonbValue keeps the pointer, and our buffers are reused: copy */
	v.val.string.val = pnstrdup(val, len);
	v.val.string.len = len;
	pushJsonbValue(state, WJB_KEY, &k);
	pushJsonbValue(state, WJB_VALUE, &v);
}

/* Fold one attribute into the record under key; returns its length */
static int
PushFolded(JsonbParseState **state, Jsonb *attrs, const char *attr, const char *key,
		   int kind, char *buf, int bufsize)
{
	int			len;
	char	   *s = AttrText(attrs, attr, &len);
	int			n = 0;

	if (s == NULL)
		return 0;
	if (kind == 'p')
		n = omni_fold_postcode(s, len, buf, bufsize);
	else if (kind == 'd')
		n = omni_parse_date(s, len, buf);
	else
		n = omni_fold_str(s, len, buf, bufsize, 1);
	PushPair(state, key, buf, n);
	return n;
}

/*
 * omni.identity_normalise(attrs, email_key, phone): the matching record
 * stored in omni.identities.norm.  The email key and the E.164 phone come
 * from the omni.email and omni.phone casts, done by the caller in SQL so a
 * malformed value raises those types' own 22P02.
 */
Datum
omni_identity_normalise(PG_FUNCTION_ARGS)
{
	Jsonb	   *attrs;
	JsonbParseState *state = NULL;
	char		fn[256],
				ln[256],
				buf[256],
				code[5];
	int			nfn,
				nln;

	/* not STRICT: the email key and the phone may be NULL, attrs may not */
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	attrs = PG_GETARG_JSONB_P(0);
	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	nfn = PushFolded(&state, attrs, "first_name", "fn", 'n', fn, sizeof(fn));
	nln = PushFolded(&state, attrs, "last_name", "ln", 'n', ln, sizeof(ln));
	PushFolded(&state, attrs, "birth_date", "dob", 'd', buf, sizeof(buf));
	PushFolded(&state, attrs, "postcode", "pc", 'p', buf, sizeof(buf));
	PushFolded(&state, attrs, "city", "ct", 't', buf, sizeof(buf));
	PushFolded(&state, attrs, "address", "ad", 't', buf, sizeof(buf));
	if (!PG_ARGISNULL(1))
	{
		text	   *e = PG_GETARG_TEXT_PP(1);

		PushPair(&state, "em", VARDATA_ANY(e), VARSIZE_ANY_EXHDR(e));
	}
	if (!PG_ARGISNULL(2))
	{
		text	   *p = PG_GETARG_TEXT_PP(2);

		PushPair(&state, "ph", VARDATA_ANY(p), VARSIZE_ANY_EXHDR(p));
	}
	if (omni_soundex(fn, nfn, code) > 0)
		PushPair(&state, "fp", code, 4);
	if (omni_soundex(ln, nln, code) > 0)
		PushPair(&state, "lp", code, 4);
	PG_RETURN_JSONB_P(JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL)));
}

void
OmniIdentityInit(void)
{
	DefineCustomRealVariable("omni.identity_match_threshold",
							 "Match probability from which identify links a record to a customer.",
							 "resolve_identities uses it for the pairs it joins.",
							 &omni_identity_match_threshold,
							 0.9, 0.5, 1.0,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomRealVariable("omni.identity_nonmatch_threshold",
							 "Match probability under which two records may never share a cluster.",
							 "The guard of resolve_identities against chaining A-B-C when A and C differ.",
							 &omni_identity_nonmatch_threshold,
							 0.01, 0.0, 0.5,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("omni.identity_max_candidates",
							"Most candidate identities scored by one identify or match_candidates call.",
							NULL,
							&omni_identity_max_candidates,
							2000, 10, 1000000,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("omni.identity_resolve_partners",
							"Most partners resolve_identities compares each identity with.",
							"Whole blocks of the identity's blocking keys, the rarest first; its smallest block is always taken.",
							&omni_identity_resolve_partners,
							64, 1, 1000000,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomBoolVariable("omni.identity_bridge",
							 "Whether identify merges a second customer the new record also matches.",
							 "Guarded by omni.identity_bridge_ok; off leaves such splits to resolve_identities.",
							 &omni_identity_bridge,
							 false,
							 PGC_USERSET, 0, NULL, NULL, NULL);
}
