/*-------------------------------------------------------------------------
 *
 * email.c
 *	  The omni.email type: a normalised, validated e-mail address.
 *
 * Stored as a varlena of its normalised text, so it sorts, hashes and
 * compares byte-wise: normalisation already folded case, and a byte order
 * keeps btree and hash opclasses independent of collation and locale.
 *
 *-------------------------------------------------------------------------
 */
#include "omnichannel.h"

#include "access/hash.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

#include "types/email_parse.h"

#define PG_GETARG_EMAIL_PP(n)	PG_GETARG_TEXT_PP(n)

/*
 * Text input and binary input go through this one check, so a value that
 * arrives by COPY BINARY is held to the same rules as one typed in psql.
 */
static text *
EmailFromCString(const char *str)
{
	char		buf[OMNI_EMAIL_MAX_LEN + 1];
	size_t		len;
	OmniEmailError err;

	err = omni_email_normalize(str, buf, &len);
	if (err != OMNI_EMAIL_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s: \"%s\"",
						"omni.email", str),
				 errdetail("%s.", omni_email_error_detail(err)),
				 errhint("Write an address such as \"ana.souza@example.com\".")));
	return cstring_to_text_with_len(buf, len);
}

PG_FUNCTION_INFO_V1(omni_email_in);
Datum
omni_email_in(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(EmailFromCString(PG_GETARG_CSTRING(0)));
}

PG_FUNCTION_INFO_V1(omni_email_out);
Datum
omni_email_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(text_to_cstring(PG_GETARG_EMAIL_PP(0)));
}

PG_FUNCTION_INFO_V1(omni_email_recv);
Datum
omni_email_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	char	   *str;
	int			nbytes;

	str = pq_getmsgtext(buf, buf->len - buf->cursor, &nbytes);
	PG_RETURN_TEXT_P(EmailFromCString(str));
}

PG_FUNCTION_INFO_V1(omni_email_send);
Datum
omni_email_send(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_EMAIL_PP(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendtext(&buf, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Byte-wise order: shorter prefix first, as memcmp then length */
static int
EmailCmp(text *a, text *b)
{
	int			alen = VARSIZE_ANY_EXHDR(a);
	int			blen = VARSIZE_ANY_EXHDR(b);
	int			r = memcmp(VARDATA_ANY(a), VARDATA_ANY(b), Min(alen, blen));

	if (r != 0)
		return r < 0 ? -1 : 1;
	return (alen > blen) - (alen < blen);
}

#define EMAIL_CMP_FUNC(name, expr) \
PG_FUNCTION_INFO_V1(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	text	   *a = PG_GETARG_EMAIL_PP(0); \
	text	   *b = PG_GETARG_EMAIL_PP(1); \
	int			c = EmailCmp(a, b); \
	PG_FREE_IF_COPY(a, 0); \
	PG_FREE_IF_COPY(b, 1); \
	PG_RETURN_BOOL(expr); \
}

EMAIL_CMP_FUNC(omni_email_eq, c == 0)
EMAIL_CMP_FUNC(omni_email_ne, c != 0)
EMAIL_CMP_FUNC(omni_email_lt, c < 0)
EMAIL_CMP_FUNC(omni_email_le, c <= 0)
EMAIL_CMP_FUNC(omni_email_gt, c > 0)
EMAIL_CMP_FUNC(omni_email_ge, c >= 0)

PG_FUNCTION_INFO_V1(omni_email_cmp);
Datum
omni_email_cmp(PG_FUNCTION_ARGS)
{
	text	   *a = PG_GETARG_EMAIL_PP(0);
	text	   *b = PG_GETARG_EMAIL_PP(1);
	int			c = EmailCmp(a, b);

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_INT32(c);
}

PG_FUNCTION_INFO_V1(omni_email_hash);
Datum
omni_email_hash(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_EMAIL_PP(0);
	Datum		h = hash_any((unsigned char *) VARDATA_ANY(t),
							 VARSIZE_ANY_EXHDR(t));

	PG_FREE_IF_COPY(t, 0);
	return h;
}

PG_FUNCTION_INFO_V1(omni_email_hash_extended);
Datum
omni_email_hash_extended(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_EMAIL_PP(0);
	Datum		h = hash_any_extended((unsigned char *) VARDATA_ANY(t),
									  VARSIZE_ANY_EXHDR(t),
									  PG_GETARG_INT64(1));

	PG_FREE_IF_COPY(t, 0);
	return h;
}

PG_FUNCTION_INFO_V1(omni_email_key);
Datum
omni_email_key(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_EMAIL_PP(0);
	char		buf[OMNI_EMAIL_MAX_LEN + 1];
	size_t		len;

	/* a stored value is normalised, hence never longer than the limit */
	if (VARSIZE_ANY_EXHDR(t) > OMNI_EMAIL_MAX_LEN)
		elog(ERROR, "corrupt omni.email value of %d bytes",
			 (int) VARSIZE_ANY_EXHDR(t));
	len = omni_email_matching_key(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), buf);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf, len));
}

/* The part after "@" */
PG_FUNCTION_INFO_V1(omni_email_domain);
Datum
omni_email_domain(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_EMAIL_PP(0);
	const char *s = VARDATA_ANY(t);
	int			len = VARSIZE_ANY_EXHDR(t);
	const char *at = memchr(s, '@', len);

	if (at == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(at + 1, len - (at - s) - 1));
}
