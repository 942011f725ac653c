/*
 * libFuzzer harness for the omni.email parser (src/types/email_parse.c),
 * run outside the server by scripts/fuzz.sh.  Besides "never crash, never
 * read or write out of bounds" (ASan, UBSan), it checks what the type relies
 * on: an accepted address is a fixed point of normalisation, respects the
 * RFC length limits, and its matching key fits the key buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "email_parse.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *in = malloc(size + 1);
	char		out[OMNI_EMAIL_MAX_LEN + 1];
	char		again[OMNI_EMAIL_MAX_LEN + 1];
	char		key[OMNI_EMAIL_MAX_LEN + 1];
	size_t		len = 0;
	size_t		len2 = 0;

	memcpy(in, data, size);
	in[size] = '\0';
	if (omni_email_normalize(in, out, &len) == OMNI_EMAIL_OK)
	{
		const char *at = memchr(out, '@', len);

		if (len > OMNI_EMAIL_MAX_LEN || len != strlen(out) || at == NULL ||
			(size_t) (at - out) > OMNI_EMAIL_MAX_LOCAL)
			abort();
		if (omni_email_normalize(out, again, &len2) != OMNI_EMAIL_OK ||
			len2 != len || memcmp(out, again, len) != 0)
			abort();
		if (omni_email_matching_key(out, len, key) > OMNI_EMAIL_MAX_LEN ||
			strchr(key, '@') == NULL)
			abort();
	}
	free(in);
	return 0;
}
