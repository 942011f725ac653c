/*-------------------------------------------------------------------------
 *
 * email_parse.c
 *	  E-mail address normalisation, validation and matching keys.
 *
 * We accept what people really type into a checkout form, not all of RFC
 * 5322: a dot-atom local part (no quoted strings, no comments), one "@",
 * and a domain name of at least two labels (no address literals).  Bytes
 * >= 0x80 are allowed in both parts so that internationalised addresses
 * (RFC 6531, IDN U-labels) survive; only ASCII letters are lower-cased, as
 * a byte-wise rule is what keeps the type independent of locale.
 *
 *-------------------------------------------------------------------------
 */
#include "email_parse.h"

#include <stdbool.h>
#include <string.h>

static bool
IsBlank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
		c == '\v';
}

static bool
IsAsciiAlnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9');
}

/* RFC 5322 "atext", plus non-ASCII bytes for RFC 6531 */
static bool
IsLocalChar(unsigned char c)
{
	return IsAsciiAlnum(c) || c >= 0x80 ||
		(c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

static bool
IsDomainChar(unsigned char c)
{
	return IsAsciiAlnum(c) || c == '-' || c >= 0x80;
}

static OmniEmailError
CheckLocalPart(const char *s, size_t len)
{
	size_t		i;

	if (len == 0)
		return OMNI_EMAIL_EMPTY_LOCAL;
	if (len > OMNI_EMAIL_MAX_LOCAL)
		return OMNI_EMAIL_LOCAL_TOO_LONG;
	if (s[0] == '.' || s[len - 1] == '.')
		return OMNI_EMAIL_BAD_LOCAL_DOT;
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c == '.')
		{
			if (s[i + 1] == '.')
				return OMNI_EMAIL_BAD_LOCAL_DOT;
		}
		else if (!IsLocalChar(c))
			return OMNI_EMAIL_BAD_LOCAL_CHAR;
	}
	return OMNI_EMAIL_OK;
}

static OmniEmailError
CheckDomain(const char *s, size_t len)
{
	size_t		start = 0;
	size_t		i;
	bool		seen_dot = false;
	bool		last_label_numeric = true;

	if (len == 0)
		return OMNI_EMAIL_EMPTY_DOMAIN;
	if (len > OMNI_EMAIL_MAX_DOMAIN)
		return OMNI_EMAIL_TOO_LONG;

	/* walk the labels; i == len closes the last one */
	for (i = 0; i <= len; i++)
	{
		unsigned char c = i < len ? (unsigned char) s[i] : '.';

		if (c == '.')
		{
			size_t		label_len = i - start;

			if (label_len == 0 || label_len > OMNI_EMAIL_MAX_LABEL ||
				s[start] == '-' || s[i - 1] == '-')
				return OMNI_EMAIL_BAD_LABEL;
			if (i < len)
			{
				seen_dot = true;
				last_label_numeric = true;
			}
			start = i + 1;
		}
		else if (!IsDomainChar(c))
			return OMNI_EMAIL_BAD_DOMAIN_CHAR;
		else if (!(c >= '0' && c <= '9'))
			last_label_numeric = false;
	}
	if (!seen_dot)
		return OMNI_EMAIL_DOMAIN_NO_DOT;
	/* a top-level domain is never all digits: "a@1.2.3.4" is an IP, not a name */
	if (last_label_numeric)
		return OMNI_EMAIL_BAD_LABEL;
	return OMNI_EMAIL_OK;
}

OmniEmailError
omni_email_normalize(const char *input, char *out, size_t *outlen)
{
	const char *start = input;
	const char *end;
	const char *at = NULL;
	size_t		len;
	size_t		i;
	OmniEmailError err;

	while (IsBlank((unsigned char) *start))
		start++;
	end = start + strlen(start);
	while (end > start && IsBlank((unsigned char) end[-1]))
		end--;
	len = end - start;

	if (len == 0)
		return OMNI_EMAIL_EMPTY;
	if (len > OMNI_EMAIL_MAX_LEN)
		return OMNI_EMAIL_TOO_LONG;

	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) start[i];

		if (c == '@')
		{
			if (at != NULL)
				return OMNI_EMAIL_MANY_AT;
			at = start + i;
		}
		out[i] = (c >= 'A' && c <= 'Z') ? (char) (c + ('a' - 'A')) : (char) c;
	}
	out[len] = '\0';
	if (at == NULL)
		return OMNI_EMAIL_NO_AT;

	err = CheckLocalPart(out, at - start);
	if (err == OMNI_EMAIL_OK)
		err = CheckDomain(out + (at - start) + 1, len - (at - start) - 1);
	if (err == OMNI_EMAIL_OK)
		*outlen = len;
	return err;
}

const char *
omni_email_error_detail(OmniEmailError err)
{
	switch (err)
	{
		case OMNI_EMAIL_OK:
			return "The address is valid";
		case OMNI_EMAIL_EMPTY:
			return "The address is empty";
		case OMNI_EMAIL_TOO_LONG:
			return "An address has at most 254 characters and a domain at most 253";
		case OMNI_EMAIL_NO_AT:
			return "An address needs an \"@\" between the local part and the domain";
		case OMNI_EMAIL_MANY_AT:
			return "An address has exactly one \"@\"";
		case OMNI_EMAIL_EMPTY_LOCAL:
			return "The part before \"@\" is empty";
		case OMNI_EMAIL_LOCAL_TOO_LONG:
			return "The part before \"@\" has more than 64 characters";
		case OMNI_EMAIL_BAD_LOCAL_CHAR:
			return "The part before \"@\" contains a space, a control character or one of ()<>[]:;,\\\"";
		case OMNI_EMAIL_BAD_LOCAL_DOT:
			return "The part before \"@\" starts or ends with a dot, or has two dots in a row";
		case OMNI_EMAIL_EMPTY_DOMAIN:
			return "The domain after \"@\" is empty";
		case OMNI_EMAIL_DOMAIN_NO_DOT:
			return "The domain needs at least one dot";
		case OMNI_EMAIL_BAD_DOMAIN_CHAR:
			return "The domain may contain only letters, digits, hyphens and dots";
		case OMNI_EMAIL_BAD_LABEL:
			return "A domain label is empty, longer than 63 characters, starts or ends with a hyphen, or the top-level domain is numeric";
	}
	return "The address is malformed";
}

/*
 * Providers whose documented rules make several spellings reach one
 * mailbox.  Only documented rules: a custom domain may give "+" or "."
 * a meaning of its own, so there the local part is kept as it is.
 */
typedef struct EmailProviderRule
{
	const char *domain;
	const char *canonical_domain;	/* NULL: keep the domain */
	bool		drop_dots;
	bool		drop_plus_tag;
} EmailProviderRule;

static const EmailProviderRule provider_rules[] = {
	{"gmail.com", NULL, true, true},
	{"googlemail.com", "gmail.com", true, true},
	{"outlook.com", NULL, false, true},
	{"hotmail.com", NULL, false, true},
	{"live.com", NULL, false, true},
	{"msn.com", NULL, false, true},
	{"icloud.com", NULL, false, true},
	{"me.com", "icloud.com", false, true},
	{"mac.com", "icloud.com", false, true},
	{"fastmail.com", NULL, false, true},
	{"protonmail.com", NULL, false, true},
	{"proton.me", NULL, false, true},
	{"pm.me", NULL, false, true},
	{"yandex.ru", NULL, false, true},
	{"ya.ru", "yandex.ru", false, true},
};

size_t
omni_email_matching_key(const char *email, size_t len, char *out)
{
	const char *at = memchr(email, '@', len);
	const char *domain;
	size_t		local_len;
	size_t		domain_len;
	size_t		n = 0;
	size_t		i;
	const EmailProviderRule *rule = NULL;

	if (at == NULL)
	{
		memcpy(out, email, len);
		out[len] = '\0';
		return len;
	}
	local_len = at - email;
	domain = at + 1;
	domain_len = len - local_len - 1;

	for (i = 0; i < sizeof(provider_rules) / sizeof(provider_rules[0]); i++)
	{
		if (strlen(provider_rules[i].domain) == domain_len &&
			memcmp(provider_rules[i].domain, domain, domain_len) == 0)
		{
			rule = &provider_rules[i];
			break;
		}
	}

	for (i = 0; i < local_len; i++)
	{
		char		c = email[i];

		if (rule && rule->drop_plus_tag && c == '+')
			break;
		if (rule && rule->drop_dots && c == '.')
			continue;
		out[n++] = c;
	}
	/* "+tag" alone (an empty base) is no mailbox to merge on: keep it whole */
	if (n == 0)
	{
		memcpy(out, email, local_len);
		n = local_len;
	}
	out[n++] = '@';
	if (rule && rule->canonical_domain)
	{
		domain = rule->canonical_domain;
		domain_len = strlen(domain);
	}
	memcpy(out + n, domain, domain_len);
	n += domain_len;
	out[n] = '\0';
	return n;
}
