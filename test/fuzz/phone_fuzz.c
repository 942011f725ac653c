/*
 * libFuzzer harness for the omni.phone parser (src/types/phone_parse.c),
 * run outside the server by scripts/fuzz.sh.  The first two bytes are the
 * default country (any bytes: unknown codes must be refused cleanly), the
 * rest is the number.  An accepted number must have 1 to 15 digits and a
 * known calling code, and read back as itself from its E.164 text, which
 * the type's output/input round trip relies on.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "phone_parse.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		country[3] = {0, 0, 0};
	char	   *in;
	uint64_t	value = 0;
	uint64_t	back = 0;
	char		text[OMNI_PHONE_FORMAT_BUFLEN];

	if (size < 2)
		return 0;
	country[0] = (char) data[0];
	country[1] = (char) data[1];
	in = malloc(size - 1);
	memcpy(in, data + 2, size - 2);
	in[size - 2] = '\0';

	if (omni_phone_parse(in, country, &value) == OMNI_PHONE_OK)
	{
		if (value == 0 || omni_phone_digit_count(value) > OMNI_PHONE_MAX_DIGITS ||
			omni_phone_calling_code(value) == 0)
			abort();
		if (omni_phone_format(value, text, sizeof(text)) < 2)
			abort();
		if (omni_phone_parse(text, NULL, &back) != OMNI_PHONE_OK || back != value)
			abort();
	}
	free(in);
	return 0;
}
