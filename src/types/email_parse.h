/*-------------------------------------------------------------------------
 *
 * email_parse.h
 *	  E-mail address normalisation and validation, in plain C.
 *
 * No PostgreSQL headers and no allocation, so the same code runs in the
 * server and in the fuzzing harness.
 *
 *-------------------------------------------------------------------------
 */
#ifndef EMAIL_PARSE_H
#define EMAIL_PARSE_H

#include <stddef.h>

/* RFC 5321 limits: 64 octets of local part, 254 for the whole path */
#define OMNI_EMAIL_MAX_LOCAL	64
#define OMNI_EMAIL_MAX_DOMAIN	253
#define OMNI_EMAIL_MAX_LABEL	63
#define OMNI_EMAIL_MAX_LEN		254

typedef enum OmniEmailError
{
	OMNI_EMAIL_OK = 0,
	OMNI_EMAIL_EMPTY,
	OMNI_EMAIL_TOO_LONG,
	OMNI_EMAIL_NO_AT,
	OMNI_EMAIL_MANY_AT,
	OMNI_EMAIL_EMPTY_LOCAL,
	OMNI_EMAIL_LOCAL_TOO_LONG,
	OMNI_EMAIL_BAD_LOCAL_CHAR,
	OMNI_EMAIL_BAD_LOCAL_DOT,
	OMNI_EMAIL_EMPTY_DOMAIN,
	OMNI_EMAIL_DOMAIN_NO_DOT,
	OMNI_EMAIL_BAD_DOMAIN_CHAR,
	OMNI_EMAIL_BAD_LABEL
} OmniEmailError;

/*
 * Normalise "input" (NUL-terminated): trim blanks, lower-case ASCII letters,
 * validate.  On success the normalised address and its length are written
 * to "out", which must hold OMNI_EMAIL_MAX_LEN + 1 bytes.
 */
extern OmniEmailError omni_email_normalize(const char *input, char *out,
										   size_t *outlen);

/* A sentence (no final period) saying what is wrong */
extern const char *omni_email_error_detail(OmniEmailError err);

/*
 * The matching key of a normalised address: provider rules applied (for
 * gmail.com and googlemail.com dots and "+tag" go, and the domain becomes
 * gmail.com; "+tag" goes for providers that document sub-addressing).
 * "out" must hold OMNI_EMAIL_MAX_LEN + 1 bytes; returns the key's length.
 */
extern size_t omni_email_matching_key(const char *email, size_t len,
									  char *out);

#endif							/* EMAIL_PARSE_H */
